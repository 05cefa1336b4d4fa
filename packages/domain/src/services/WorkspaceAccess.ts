import { Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Forbidden } from "../contract/Errors.js"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import { PersonalWorkspace, WorkspaceNotFound } from "../contract/Workspace.js"
import type { WorkspaceSummaryItem } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { someOrFail } from "./Found.js"

/** The checks the workspace settings, invites and members share: who is in, which keys may act, which kind. */
export class WorkspaceAccess extends Effect.Service<WorkspaceAccess>()("@clockme/domain/WorkspaceAccess", {
  effect: Effect.gen(function*() {
    const repo = yield* WorkspacesRepo

    /**
     * The caller's membership; a workspace the caller is not in (or that their key is not restricted to)
     * is "not found", never "forbidden".
     */
    const membership = Effect.fn("Workspaces.membership")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      const outside = actor.keyWorkspaceId != null && actor.keyWorkspaceId !== id
      const found = outside ? Option.none() : yield* repo.findMembership(actor.userId, id)
      return yield* someOrFail(found, () => WorkspaceNotFound.byId(id))
    })

    const unrestricted = (action: string) =>
      Effect.flatMap(CurrentActor, (actor) =>
        actor.keyWorkspaceId == null ? Effect.void : Effect.fail(
          new Forbidden({
            message: `This API key is restricted to workspace ${actor.keyWorkspaceId}; it cannot ${action}. Use an unrestricted key.`
          })
        ))

    const requireShared = (workspace: WorkspaceSummaryItem, action: string) =>
      workspace.kind === "personal"
        ? Effect.fail(
          new PersonalWorkspace({
            workspaceId: workspace.id,
            message: `"${workspace.name}" is a personal workspace: it cannot ${action}. Create a shared one with POST /api/workspaces`
          })
        )
        : Effect.succeed(workspace)

    const reload = (id: WorkspaceId) =>
      Effect.flatMap(CurrentActor, (actor) => repo.findMembership(actor.userId, id).pipe(Effect.flatMap(Effect.orDie)))

    const memberOf = (id: WorkspaceId, userId: UserId) =>
      Effect.flatMap(repo.listMembers(id), (all) => Effect.orDie(Option.fromNullable(all.find((member) => member.userId === userId))))

    return { membership, unrestricted, requireShared, reload, memberOf } as const
  }),
  dependencies: [WorkspacesRepo.Default]
}) {}
