import { SignIn } from "./services/SignIn.js"
import { Layer } from "effect"
import { Operations } from "./Operations.js"
import { Accounts } from "./services/Accounts.js"
import { Admission } from "./services/Admission.js"
import { ApiKeys } from "./services/ApiKeys.js"
import { Audit } from "./services/Audit.js"
import { Budgets } from "./services/Budgets.js"
import { Dashboard } from "./services/Dashboard.js"
import { Entries } from "./services/Entries.js"
import { Events } from "./services/Events.js"
import { Idempotency } from "./services/Idempotency.js"
import { IdleWatchdog } from "./services/IdleWatchdog.js"
import { Ownership } from "./services/Ownership.js"
import { ProjectDetails } from "./services/ProjectDetails.js"
import { Projects } from "./services/Projects.js"
import { Reports } from "./services/Reports.js"
import { Tasks } from "./services/Tasks.js"
import { Timers } from "./services/Timers.js"
import { Usage } from "./services/Usage.js"
import { InviteSignUp } from "./services/InviteSignUp.js"
import { Invites } from "./services/Invites.js"
import { Members } from "./services/Members.js"
import { Workspaces } from "./services/Workspaces.js"

/** Every domain service; still needs a SqlClient and a RateLimiter. */
export const DomainServicesLive = Layer.mergeAll(
  Accounts.Default,
  ApiKeys.Default,
  Audit.Default,
  Admission.Default,
  Projects.Default,
  Tasks.Default,
  Timers.Default,
  IdleWatchdog.Default,
  Entries.Default,
  Events.Default,
  Idempotency.Default,
  Reports.Default,
  Workspaces.Default,
  Invites.Default,
  Members.Default,
  Budgets.Default,
  Dashboard.Default,
  ProjectDetails.Default,
  Ownership.Default,
  Usage.Default,
  SignIn.Default,
  InviteSignUp.Default
)

/**
 * The domain services and the table of operations over them; the table also needs Connections and the
 * plugin groups' operations (PluginOperations), which the composition root provides.
 */
export const DomainLive = Operations.Default.pipe(Layer.provideMerge(DomainServicesLive))
