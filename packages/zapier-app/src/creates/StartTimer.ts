import type { Bundle, ZObject } from "zapier-platform-core"
import { defineCreate } from "zapier-platform-core"
import { apiUrl, given } from "../Api.js"
import { samples } from "../Samples.js"

type StartInput = {
  readonly projectId?: string
  readonly projectName?: string
  readonly autoCreate?: boolean
  readonly description?: string
}

/** `POST /api/timer/start`; starting a project that already runs returns its timer with `alreadyRunning: true`. */
export const StartTimer = defineCreate({
  key: "start_timer",
  noun: "Timer",
  display: { label: "Start Timer", description: "Starts a timer on a project (several projects can run at once)." },
  operation: {
    inputFields: [
      { key: "projectId", label: "Project", dynamic: "project.id.name", helpText: "Choose a project, or give its name below." },
      {
        key: "projectName",
        label: "Project Name",
        helpText: "Or the project's name, matched loosely (case, spaces and small typos do not matter)."
      },
      { key: "autoCreate", label: "Create the Project if New", type: "boolean", helpText: "With a name: create a project of exactly that name when none has it." },
      { key: "description", label: "Description", type: "text", helpText: "What the time is for; it becomes the entry's description." }
    ],
    perform: async (z: ZObject, bundle: Bundle<StartInput>) =>
      (await z.request({ url: apiUrl(bundle, "/timer/start"), method: "POST", body: given({ ...bundle.inputData }) })).data,
    sample: samples.startedTimer
  }
})
