import { Schema } from "effect"
import { ProjectBudget } from "./Budget.js"
import { Project } from "./Project.js"
import { Task } from "./Task.js"

export class ProjectTotals extends Schema.Class<ProjectTotals>("ProjectTotals")({
  hours: Schema.Number.annotations({ description: "Hours logged on the project by every member, all time" }),
  billableHours: Schema.Number.annotations({ description: "The billable part of hours" }),
  entries: Schema.Number.annotations({ description: "Completed entries on the project, all members, all time" }),
  yourHours: Schema.Number.annotations({ description: "Hours you logged on the project, all time" })
}) {}

/** One project with everything about it: its tasks, its budget this period, its all-time hours. */
export class ProjectDetails extends Schema.Class<ProjectDetails>("ProjectDetails")({
  project: Project,
  tasks: Schema.Array(Task).annotations({ description: "Every task of the project, active and complete" }),
  budget: ProjectBudget,
  allTime: ProjectTotals.annotations({ description: "Completed entries only; running timers are not counted yet" })
}) {}
