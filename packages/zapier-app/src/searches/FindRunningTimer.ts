import type { Bundle, ZObject } from "zapier-platform-core"
import { defineSearch } from "zapier-platform-core"
import { apiUrl } from "../Api.js"
import { samples } from "../Samples.js"

interface TimerView {
  readonly projectId: string
  readonly projectName: string
}

/** `GET /api/timer/current`: your running and paused timers, those of one project when one is given. */
export const FindRunningTimer = defineSearch({
  key: "find_running_timer",
  noun: "Timer",
  display: { label: "Find Running Timer", description: "Finds your running or paused timer, on one project or any." },
  operation: {
    inputFields: [
      { key: "projectId", label: "Project", dynamic: "project.id.name", helpText: "Leave empty to find any of your timers." }
    ],
    perform: async (z: ZObject, bundle: Bundle<{ projectId?: string }>) => {
      const { timers } = (await z.request<{ timers: Array<TimerView> }>({ url: apiUrl(bundle, "/timer/current") })).data
      const projectId = bundle.inputData.projectId
      return projectId ? timers.filter((timer) => timer.projectId === projectId) : timers
    },
    sample: samples.timer
  }
})
