import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { TaskCompleted, TaskCreated } from "../contract/Events.js"
import type { ProjectId, TaskId } from "../contract/Ids.js"
import { TasksRepo } from "../repos/TasksRepo.js"
import { TaskNotFound } from "../contract/Task.js"
import type { CreateTask, TaskStatus } from "../contract/Task.js"
import { Events } from "./Events.js"
import { someOrFail } from "./Found.js"
import { Projects } from "./Projects.js"
import { transactional } from "../sql/Transactional.js"

export class Tasks extends Effect.Service<Tasks>()("@clockme/domain/Tasks", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* TasksRepo
    const projects = yield* Projects
    const events = yield* Events

    const create = Effect.fn("Tasks.create")(function*(input: CreateTask) {
      const actor = yield* CurrentActor
      yield* projects.get(input.projectId)
      yield* projects.requireOwnerFor({ hourlyRate: input.hourlyRate }, "on a task")
      const now = yield* DateTime.now
      const task = yield* repo.insert(actor.workspaceId, input, DateTime.toDate(now))
      yield* events.publish(new TaskCreated({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, task }))
      return task
    }, transactional(sql))

    const list = Effect.fn("Tasks.list")(function*(projectId: ProjectId, status: TaskStatus | "all" = "active") {
      const actor = yield* CurrentActor
      yield* projects.get(projectId)
      return yield* repo.list(actor.workspaceId, projectId, status)
    })

    const get = Effect.fn("Tasks.get")(function*(id: TaskId) {
      const actor = yield* CurrentActor
      const found = yield* repo.findById(actor.workspaceId, id)
      return yield* someOrFail(found, () => TaskNotFound.byId(id))
    })

    /** The task, checked to belong to the project it is used with. */
    const getInProject = Effect.fn("Tasks.getInProject")(function*(id: TaskId, projectId: ProjectId) {
      const task = yield* get(id)
      if (task.projectId !== projectId) {
        return yield* new TaskNotFound({ taskId: id, message: `Task ${id} does not belong to project ${projectId}` })
      }
      return task
    })

    const complete = Effect.fn("Tasks.complete")(function*(id: TaskId) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const done = yield* repo.complete(actor.workspaceId, id, DateTime.toDate(now))
      const { changed, task } = yield* someOrFail(done, () => TaskNotFound.byId(id))
      if (changed) {
        yield* events.publish(new TaskCompleted({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, task }))
      }
      return task
    }, transactional(sql))

    return { create, list, get, getInProject, complete } as const
  }),
  dependencies: [TasksRepo.Default, Projects.Default, Events.Default]
}) {}
