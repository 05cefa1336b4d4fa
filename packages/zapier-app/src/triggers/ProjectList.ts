import type { Bundle, ZObject } from "zapier-platform-core"
import { defineTrigger } from "zapier-platform-core"
import { apiUrl } from "../Api.js"
import { samples } from "../Samples.js"

/** A project as `GET /api/projects` answers it (the fields the app reads). */
export interface Project {
  readonly id: string
  readonly name: string
}

export const listProjects = async (z: ZObject, bundle: Bundle): Promise<Array<Project>> =>
  (await z.request<Array<Project>>({ url: apiUrl(bundle, "/projects") })).data

/** Hidden: fills the project dropdowns of the actions and searches. */
export const ProjectList = defineTrigger({
  key: "project",
  noun: "Project",
  display: { label: "Project", description: "The active projects of the workspace (fills the project dropdowns).", hidden: true },
  operation: { perform: listProjects, sample: samples.project }
})
