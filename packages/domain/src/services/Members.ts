import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { MemberLeft, MemberRemoved, MemberRoleChanged } from "../contract/Events.js"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import { LastOwner, MemberNotFound } from "../contract/Workspace.js"
import type { Role, UpdateMember } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { Audit } from "./Audit.js"
import { Events } from "./Events.js"
import { Timers } from "./Timers.js"
import { WorkspaceAccess } from "./WorkspaceAccess.js"
import { transactional } from "../sql/Transactional.js"

/** The members of a workspace: their list, their roles, their removal and departure; never without an owner. */
export class Members extends Effect.Service<Members>()("@clockme/domain/Members", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const access = yield* WorkspaceAccess
    const timers = yield* Timers
    const events = yield* Events
    const audit = yield* Audit
    const cache = yield* AdmissionCache

    const members = Effect.fn("Workspaces.members")(function*(id: WorkspaceId) {
      yield* access.membership(id)
      return yield* repo.listMembers(id)
    })

    /** Locks the memberships, finds the target, and refuses a change that would leave no owner. */
    const checkOwnersAfter = Effect.fn("Workspaces.checkOwnersAfter")(
      function*(id: WorkspaceId, userId: UserId, newRole: Role | null, why: string) {
        const rows = yield* repo.lockMembers(id)
        const target = rows.find((row) => row.userId === userId)
        if (target === undefined) {
          return yield* new MemberNotFound({ userId, message: `User ${userId} is not a member of workspace ${id}` })
        }
        const owners = rows.filter((row) => row.role === "owner").length
        if (target.role === "owner" && newRole !== "owner" && owners <= 1) {
          return yield* new LastOwner({
            workspaceId: id,
            message: `${why}: a workspace must keep at least one owner. Make another member owner first ` +
              `(PATCH /api/workspaces/${id}/members/{userId} {"role":"owner"}).`
          })
        }
        return target
      }
    )

    const setRole = Effect.fn("Workspaces.setRole")(function*(id: WorkspaceId, userId: UserId, input: UpdateMember) {
      const actor = yield* CurrentActor
      const target = yield* checkOwnersAfter(id, userId, input.role, "This would leave the workspace without an owner")
      yield* repo.setRole(id, userId, input.role)
      if (target.role !== input.role) {
        yield* audit.record({
          type: "member.role_changed",
          userId,
          workspaceId: id,
          targetId: userId,
          details: { from: target.role, to: input.role }
        })
      }
      const member = yield* access.memberOf(id, userId)
      if (target.role !== input.role) {
        const now = yield* DateTime.now
        yield* events.publish(
          new MemberRoleChanged({
            occurredAt: now,
            workspaceId: id,
            userId,
            member,
            previousRole: target.role,
            changedBy: actor.userId
          })
        )
      }
      return member
    }, transactional(sql), cache.invalidating)

    /**
     * Ends a membership unless it would leave no owner: the member's timers there are stopped and recorded,
     * then the event and the audit entry of the removal or the departure are written.
     */
    const endMembership = Effect.fn("Workspaces.endMembership")(function*(
      id: WorkspaceId,
      userId: UserId,
      why: string,
      removedBy: UserId | null
    ) {
      yield* checkOwnersAfter(id, userId, null, why)
      const member = yield* access.memberOf(id, userId)
      yield* timers.stopAllFor(userId, id)
      yield* repo.removeMember(id, userId)
      const now = yield* DateTime.now
      yield* events.publish(
        removedBy === null
          ? new MemberLeft({ occurredAt: now, workspaceId: id, userId, member })
          : new MemberRemoved({ occurredAt: now, workspaceId: id, userId, member, removedBy })
      )
      yield* audit.record({ type: removedBy === null ? "member.left" : "member.removed", userId, workspaceId: id, targetId: userId })
    })

    const removeMember = Effect.fn("Workspaces.removeMember")(function*(id: WorkspaceId, userId: UserId) {
      const actor = yield* CurrentActor
      const workspace = yield* access.membership(id)
      yield* access.requireShared(workspace, "lose its only member")
      yield* endMembership(id, userId, "This would remove the last owner", actor.userId)
    }, transactional(sql), cache.invalidating)

    const leave = Effect.fn("Workspaces.leave")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      const workspace = yield* access.membership(id)
      yield* access.requireShared(workspace, "be left")
      yield* endMembership(id, actor.userId, "You are the only owner", null)
    }, transactional(sql), cache.invalidating)

    return { members, setRole, removeMember, leave } as const
  }),
  dependencies: [
    WorkspacesRepo.Default,
    WorkspaceAccess.Default,
    Timers.Default,
    Events.Default,
    Audit.Default,
    AdmissionCache.Default
  ]
}) {}
