import type { Bundle, ZObject } from "zapier-platform-core"
import { defineSearch } from "zapier-platform-core"
import { samples } from "../Samples.js"
import { listProjects } from "../triggers/ProjectList.js"

/**
 * The projects whose name matches, best first: the exact name ignoring case, then names that contain it.
 * Zapier uses the first.
 */
export const FindProject = defineSearch({
  key: "find_project",
  noun: "Project",
  display: { label: "Find Project", description: "Finds an active project by its name." },
  operation: {
    inputFields: [{ key: "name", label: "Name", required: true }],
    perform: async (z: ZObject, bundle: Bundle<{ name: string }>) => {
      const wanted = bundle.inputData.name.trim().toLowerCase()
      const projects = await listProjects(z, bundle)
      const exact = projects.filter((project) => project.name.toLowerCase() === wanted)
      const partial = projects.filter((project) => project.name.toLowerCase() !== wanted && project.name.toLowerCase().includes(wanted))
      return [...exact, ...partial]
    },
    sample: samples.project
  }
})
