import type { Bundle, ZObject } from "zapier-platform-core"
import { defineCreate } from "zapier-platform-core"
import { apiUrl, given } from "../Api.js"
import { samples } from "../Samples.js"

type StopInput = {
  readonly projectId?: string
  readonly projectName?: string
}

/** `POST /api/timer/stop`: the timer's time becomes an entry, which is the answer. */
export const StopTimer = defineCreate({
  key: "stop_timer",
  noun: "Time Entry",
  display: {
    label: "Stop Timer",
    description: "Stops a running or paused timer and records its time as an entry (your only timer when no project is given)."
  },
  operation: {
    inputFields: [
      { key: "projectId", label: "Project", dynamic: "project.id.name", helpText: "The project whose timer stops. Leave empty when only one timer runs." },
      { key: "projectName", label: "Project Name", helpText: "Or the project's name, matched loosely." }
    ],
    perform: async (z: ZObject, bundle: Bundle<StopInput>) => {
      const which = given({ projectId: bundle.inputData.projectId, projectName: bundle.inputData.projectName })
      return (await z.request({ url: apiUrl(bundle, "/timer/stop"), method: "POST", body: which })).data
    },
    sample: samples.entry
  }
})
