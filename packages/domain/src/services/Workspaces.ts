import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Equal } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { WorkspaceCreated, WorkspaceUpdated } from "../contract/Events.js"
import type { WorkspaceId } from "../contract/Ids.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { WorkspaceSettings } from "../contract/Workspace.js"
import type { CreateWorkspace, UpdateWorkspace } from "../contract/Workspace.js"
import { Events } from "./Events.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { WorkspaceAccess } from "./WorkspaceAccess.js"
import { transactional } from "../sql/Transactional.js"

/** Workspaces and their settings: listing, creating, renaming, and the active one (the team summary is a report: Reports.teamSummary). */
export class Workspaces extends Effect.Service<Workspaces>()("@clockme/domain/Workspaces", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const events = yield* Events
    const cache = yield* AdmissionCache
    const { membership, reload, unrestricted } = yield* WorkspaceAccess

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listForUser(actor.userId, actor.keyWorkspaceId ?? undefined)
    }).pipe(Effect.withSpan("Workspaces.list"))

    const get = Effect.fn("Workspaces.get")(function*(id: WorkspaceId) {
      return yield* membership(id)
    })

    /** A shared workspace with the caller as its owner. */
    const create = Effect.fn("Workspaces.create")(function*(input: CreateWorkspace) {
      const actor = yield* CurrentActor
      yield* unrestricted("create workspaces")
      const now = yield* DateTime.now
      const id = yield* repo.create(actor.userId, input, DateTime.toDate(now))
      const workspace = yield* reload(id)
      yield* events.publish(
        new WorkspaceCreated({ occurredAt: now, workspaceId: id, userId: actor.userId, workspace: WorkspaceSettings.of(workspace) })
      )
      return workspace
    }, transactional(sql))

    const update = Effect.fn("Workspaces.update")(function*(id: WorkspaceId, patch: UpdateWorkspace) {
      const actor = yield* CurrentActor
      const before = WorkspaceSettings.of(yield* membership(id))
      yield* repo.update(id, patch)
      const workspace = yield* reload(id)
      const after = WorkspaceSettings.of(workspace)
      if (!Equal.equals(before, after)) {
        const now = yield* DateTime.now
        yield* events.publish(
          new WorkspaceUpdated({ occurredAt: now, workspaceId: id, userId: actor.userId, workspace: after, previous: before })
        )
      }
      return workspace
    }, transactional(sql))

    /** Makes the workspace the one every later call of this user acts in. */
    const activate = Effect.fn("Workspaces.activate")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      yield* membership(id)
      yield* repo.setActive(actor.userId, id)
      return yield* reload(id)
    }, cache.invalidating)

    return {
      list,
      get,
      membership,
      create,
      update,
      activate
    } as const
  }),
  dependencies: [
    WorkspacesRepo.Default,
    WorkspaceAccess.Default,
    Events.Default,
    AdmissionCache.Default
  ]
}) {}
