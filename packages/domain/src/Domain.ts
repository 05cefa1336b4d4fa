import { Layer } from "effect"
import { Accounts } from "./services/Accounts.js"
import { ApiKeys } from "./services/ApiKeys.js"
import { Entries } from "./services/Entries.js"
import { Projects } from "./services/Projects.js"
import { Reports } from "./services/Reports.js"
import { Tasks } from "./services/Tasks.js"
import { Timers } from "./services/Timers.js"
import { Workspaces } from "./services/Workspaces.js"

/** Every domain service; still needs a SqlClient. */
export const DomainLive = Layer.mergeAll(
  Accounts.Default,
  ApiKeys.Default,
  Projects.Default,
  Tasks.Default,
  Timers.Default,
  Entries.Default,
  Reports.Default,
  Workspaces.Default
)
