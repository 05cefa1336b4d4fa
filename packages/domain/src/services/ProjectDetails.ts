import { Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { ProjectId } from "../contract/Ids.js"
import { ProjectDetails as ProjectDetailsView, ProjectTotals } from "../contract/ProjectDetails.js"
import { ProjectDetailsRepo } from "../repos/ProjectDetailsRepo.js"
import { Budgets } from "./Budgets.js"
import { hoursOf } from "./Periods.js"
import { Projects } from "./Projects.js"
import { Tasks } from "./Tasks.js"

export class ProjectDetails extends Effect.Service<ProjectDetails>()("@clockme/domain/ProjectDetails", {
  effect: Effect.gen(function*() {
    const repo = yield* ProjectDetailsRepo
    const projects = yield* Projects
    const tasks = yield* Tasks
    const budgets = yield* Budgets

    /** A project of the active workspace with its tasks, its budget burn this period and its all-time hours. */
    const get = Effect.fn("ProjectDetails.get")(function*(id: ProjectId) {
      const actor = yield* CurrentActor
      const project = yield* projects.get(id)
      const taskList = yield* tasks.list(id, "all")
      const budget = yield* budgets.get(id)
      const totals = yield* repo.allTime(actor.workspaceId, id, actor.userId)
      return new ProjectDetailsView({
        project,
        tasks: taskList,
        budget,
        allTime: new ProjectTotals({
          hours: hoursOf(totals.seconds),
          billableHours: hoursOf(totals.billableSeconds),
          entries: totals.entries,
          yourHours: hoursOf(totals.ownSeconds)
        })
      })
    })

    return { get } as const
  }),
  dependencies: [ProjectDetailsRepo.Default, Projects.Default, Tasks.Default, Budgets.Default]
}) {}
