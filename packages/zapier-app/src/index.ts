import { defineApp, version as platformVersion } from "zapier-platform-core"
import { addApiKey, explainErrors } from "./Api.js"
import { Authentication } from "./Authentication.js"
import { CreateTimeEntry } from "./creates/CreateTimeEntry.js"
import { StartTimer } from "./creates/StartTimer.js"
import { StopTimer } from "./creates/StopTimer.js"
import { FindProject } from "./searches/FindProject.js"
import { FindRunningTimer } from "./searches/FindRunningTimer.js"
import { BudgetThresholdReached, NewTimeEntry, TimerStarted, TimerStopped } from "./triggers/EventTriggers.js"
import { ProjectList } from "./triggers/ProjectList.js"

/** The ClockMe app for Zapier: what `zapier push` uploads (after `npm run build`). */
export const App = defineApp({
  version: "1.0.0",
  platformVersion,
  // Only z.request talks to ClockMe: Zapier's patch of node's http module, for logging other clients, is not needed.
  flags: { skipHttpPatch: true },
  authentication: Authentication,
  beforeRequest: [addApiKey],
  afterResponse: [explainErrors],
  triggers: {
    [NewTimeEntry.key]: NewTimeEntry,
    [TimerStarted.key]: TimerStarted,
    [TimerStopped.key]: TimerStopped,
    [BudgetThresholdReached.key]: BudgetThresholdReached,
    [ProjectList.key]: ProjectList
  },
  creates: {
    [StartTimer.key]: StartTimer,
    [StopTimer.key]: StopTimer,
    [CreateTimeEntry.key]: CreateTimeEntry
  },
  searches: {
    [FindProject.key]: FindProject,
    [FindRunningTimer.key]: FindRunningTimer
  }
})

export default App
