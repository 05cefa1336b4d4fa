import { Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import type { OwnerOnly } from "../contract/api/Access.js"
import { Forbidden } from "../contract/Errors.js"
import type { WorkspaceId } from "../contract/Ids.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"

/** The check of an endpoint's RequiredRole, run by the table of operations (services check no roles by hand). */
export class Ownership extends Effect.Service<Ownership>()("@clockme/domain/Ownership", {
  effect: Effect.gen(function*() {
    const workspaces = yield* WorkspacesRepo

    /** `pathId`: the workspace the request's path names, for a rule on the path's workspace. */
    const requireOwner = Effect.fn("Ownership.requireOwner")(function*(rule: OwnerOnly, pathId: WorkspaceId | undefined) {
      const actor = yield* CurrentActor
      const id = rule.workspace === "path" && pathId !== undefined ? pathId : actor.workspaceId
      // a key restricted to one workspace sees no other: "not found", never "forbidden"
      const outside = actor.keyWorkspaceId != null && actor.keyWorkspaceId !== id
      // the role admission read (cached as admission is, and dropped at once on a change): owners pass unread
      if (!outside && id === actor.workspaceId && actor.role === "owner") return
      const found = outside ? Option.none() : yield* workspaces.findMembership(actor.userId, id)
      if (Option.isNone(found)) {
        return yield* rule.workspace === "path"
          ? WorkspaceNotFound.byId(id)
          : new WorkspaceNotFound({ workspaceId: id, message: "Your active workspace is gone" })
      }
      if (found.value.role !== "owner") {
        return yield* new Forbidden({
          message: `Only owners of workspace "${found.value.name}" can ${rule.action}; your role there is ${found.value.role}`
        })
      }
    })

    return { requireOwner } as const
  }),
  dependencies: [WorkspacesRepo.Default]
}) {}
