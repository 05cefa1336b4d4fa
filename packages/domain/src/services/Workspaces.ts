import { SqlClient } from "@effect/sql"
import { randomBytes } from "node:crypto"
import { DateTime, Effect, Equal, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { Forbidden, InvalidInput } from "../contract/Errors.js"
import {
  InviteCreated,
  InviteRevoked,
  MemberJoined,
  MemberLeft,
  MemberRemoved,
  MemberRoleChanged,
  WorkspaceCreated,
  WorkspaceUpdated
} from "../contract/Events.js"
import type { InviteId, UserId, WorkspaceId } from "../contract/Ids.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import {
  InviteDetails,
  InviteInvalid,
  InviteNotFound,
  InviteUnusable,
  JoinedWorkspace,
  LastOwner,
  MemberNotFound,
  PersonalWorkspace,
  WorkspaceNotFound,
  WorkspaceSettings
} from "../contract/Workspace.js"
import type {
  CreateInvite,
  CreateWorkspace,
  Role,
  UpdateMember,
  UpdateWorkspace,
  WorkspaceSummaryItem
} from "../contract/Workspace.js"
import { Events } from "./Events.js"
import { someOrFail } from "./Found.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { Audit } from "./Audit.js"
import { Timers } from "./Timers.js"
import { transactional } from "../sql/Transactional.js"

const newInviteCode = () => randomBytes(18).toString("base64url")

export class Workspaces extends Effect.Service<Workspaces>()("@clockme/domain/Workspaces", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const timers = yield* Timers
    const events = yield* Events
    const audit = yield* Audit
    const cache = yield* AdmissionCache

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listForUser(actor.userId, actor.keyWorkspaceId ?? undefined)
    }).pipe(Effect.withSpan("Workspaces.list"))

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

    const join = Effect.fn("Workspaces.join")(
      function*(code: string) {
        const actor = yield* CurrentActor
        yield* unrestricted("join other workspaces")
        const found = yield* repo.findInviteForUpdate(code)
        if (Option.isNone(found)) {
          return yield* new InviteInvalid({ reason: "unknown", message: "No workspace has this invite code" })
        }
        const invite = found.value
        const workspaceId = invite.workspaceId as WorkspaceId
        const existing = yield* repo.findMembership(actor.userId, workspaceId)
        if (Option.isSome(existing)) return new JoinedWorkspace({ workspace: existing.value, alreadyMember: true })
        const now = DateTime.toDate(yield* DateTime.now)
        if (invite.revokedAt !== null) {
          return yield* new InviteUnusable({ reason: "revoked", message: "This invite code has been revoked; ask an owner for a new one" })
        }
        if (invite.expiresAt !== null && invite.expiresAt <= now) {
          return yield* new InviteUnusable({ reason: "expired", message: "This invite code has expired; ask an owner for a new one" })
        }
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
          return yield* new InviteUnusable({
            reason: "used_up",
            message: `This invite code has been used ${invite.uses} of ${invite.maxUses} times; ask an owner for a new one`
          })
        }
        yield* repo.addMember(workspaceId, actor.userId, invite.id)
        yield* audit.record({ type: "member.joined", workspaceId, targetId: actor.userId, details: { inviteId: invite.id } })
        const joined = yield* repo.findMembership(actor.userId, workspaceId).pipe(Effect.flatMap(Effect.orDie))
        const member = yield* memberOf(workspaceId, actor.userId)
        yield* events.publish(
          new MemberJoined({ occurredAt: DateTime.unsafeFromDate(now), workspaceId, userId: actor.userId, member })
        )
        return new JoinedWorkspace({ workspace: joined, alreadyMember: false })
      },
      transactional(sql),
      cache.invalidating
    )

    const createInvite = Effect.fn("Workspaces.createInvite")(function*(id: WorkspaceId, input: CreateInvite | null) {
      const actor = yield* CurrentActor
      const workspace = yield* membership(id)
      yield* requireShared(workspace, "have invites")
      const now = yield* DateTime.now
      if (input?.expiresAt != null && !DateTime.greaterThan(input.expiresAt, now)) {
        return yield* new InvalidInput({ field: "expiresAt", message: "expiresAt must be in the future" })
      }
      const invite = yield* repo.insertInvite({
        workspaceId: id,
        code: newInviteCode(),
        createdBy: actor.userId,
        expiresAt: input?.expiresAt == null ? null : DateTime.toDate(input.expiresAt),
        maxUses: input?.maxUses ?? null,
        now: DateTime.toDate(now)
      })
      yield* audit.record({
        type: "invite.created",
        userId: null,
        workspaceId: id,
        targetId: invite.id,
        details: { expiresAt: invite.expiresAt === null ? null : DateTime.formatIso(invite.expiresAt), maxUses: invite.maxUses }
      })
      yield* events.publish(
        new InviteCreated({ occurredAt: now, workspaceId: id, userId: actor.userId, invite: InviteDetails.of(invite) })
      )
      return invite
    }, transactional(sql))

    const listInvites = Effect.fn("Workspaces.listInvites")(function*(id: WorkspaceId) {
      // the codes let anyone join: as sensitive as creating them
      const now = yield* DateTime.now
      return yield* repo.listInvites(id, DateTime.toDate(now))
    })

    const revokeInvite = Effect.fn("Workspaces.revokeInvite")(function*(id: WorkspaceId, inviteId: InviteId) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const revoked = yield* repo.revokeInvite(id, inviteId, DateTime.toDate(now))
      const { changed, invite } = yield* someOrFail(
        revoked,
        () => new InviteNotFound({ inviteId, message: `Invite ${inviteId} not found in workspace ${id}` })
      )
      if (changed) {
        yield* audit.record({ type: "invite.revoked", userId: null, workspaceId: id, targetId: inviteId })
        yield* events.publish(
          new InviteRevoked({ occurredAt: now, workspaceId: id, userId: actor.userId, invite: InviteDetails.of(invite) })
        )
      }
      return invite
    }, transactional(sql))

    const members = Effect.fn("Workspaces.members")(function*(id: WorkspaceId) {
      yield* membership(id)
      return yield* repo.listMembers(id)
    })

    const memberOf = (id: WorkspaceId, userId: UserId) =>
      Effect.flatMap(repo.listMembers(id), (all) => Effect.orDie(Option.fromNullable(all.find((member) => member.userId === userId))))

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
      const member = yield* memberOf(id, userId)
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
      const member = yield* memberOf(id, userId)
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
      const workspace = yield* membership(id)
      yield* requireShared(workspace, "lose its only member")
      yield* endMembership(id, userId, "This would remove the last owner", actor.userId)
    }, transactional(sql), cache.invalidating)

    const leave = Effect.fn("Workspaces.leave")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      const workspace = yield* membership(id)
      yield* requireShared(workspace, "be left")
      yield* endMembership(id, actor.userId, "You are the only owner", null)
    }, transactional(sql), cache.invalidating)

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
      join,
      createInvite,
      listInvites,
      revokeInvite,
      members,
      setRole,
      removeMember,
      leave,
      activate
    } as const
  }),
  dependencies: [
    WorkspacesRepo.Default,
    Timers.Default,
    Events.Default,
    Audit.Default,
    AdmissionCache.Default
  ]
}) {}
