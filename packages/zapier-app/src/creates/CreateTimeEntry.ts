import type { Bundle, ZObject } from "zapier-platform-core"
import { defineCreate } from "zapier-platform-core"
import { apiUrl, given } from "../Api.js"
import { samples } from "../Samples.js"

type EntryInput = {
  readonly projectId: string
  readonly startTime: string
  readonly durationMinutes?: number
  readonly endTime?: string
  readonly description?: string
  readonly billable?: boolean
}

/** `POST /api/entries`: a completed block of time, by start plus duration or end (at most 24 hours). */
export const CreateTimeEntry = defineCreate({
  key: "create_time_entry",
  noun: "Time Entry",
  display: { label: "Create Time Entry", description: "Logs a completed block of time on a project." },
  operation: {
    inputFields: [
      { key: "projectId", label: "Project", required: true, dynamic: "project.id.name" },
      { key: "startTime", label: "Start Time", required: true, type: "datetime" },
      { key: "durationMinutes", label: "Duration (Minutes)", type: "integer", helpText: "Give this or an end time." },
      { key: "endTime", label: "End Time", type: "datetime", helpText: "Or the end of the block instead of a duration." },
      { key: "description", label: "Description", type: "text" },
      { key: "billable", label: "Billable", type: "boolean", helpText: "Default: the project's billable setting." }
    ],
    perform: async (z: ZObject, bundle: Bundle<EntryInput>) =>
      (await z.request({ url: apiUrl(bundle, "/entries"), method: "POST", body: given({ ...bundle.inputData }) })).data,
    sample: samples.entry
  }
})
