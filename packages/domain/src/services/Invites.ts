import { SqlClient } from "@effect/sql"
import { randomBytes } from "node:crypto"
import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { InvalidInput } from "../contract/Errors.js"
import { InviteCreated, InviteRevoked, MemberJoined } from "../contract/Events.js"
import type { InviteId, WorkspaceId } from "../contract/Ids.js"
import { InviteDetails, InviteInvalid, InviteNotFound, InviteUnusable, JoinedWorkspace } from "../contract/Workspace.js"
import type { CreateInvite } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { Audit } from "./Audit.js"
import { Events } from "./Events.js"
import { someOrFail } from "./Found.js"
import { WorkspaceAccess } from "./WorkspaceAccess.js"
import { transactional } from "../sql/Transactional.js"

const newInviteCode = () => randomBytes(18).toString("base64url")

/** Invite codes of shared workspaces: created and revoked by owners, redeemed by the people who join. */
export class Invites extends Effect.Service<Invites>()("@clockme/domain/Invites", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const access = yield* WorkspaceAccess
    const events = yield* Events
    const audit = yield* Audit
    const cache = yield* AdmissionCache

    const locked = (code: string) =>
      Effect.flatMap(repo.findInviteForUpdate(code), (found) =>
        Option.isNone(found)
          ? Effect.fail(new InviteInvalid({ reason: "unknown", message: "No workspace has this invite code" }))
          : Effect.succeed(found.value))

    const usable = (invite: Effect.Effect.Success<ReturnType<typeof locked>>, now: Date) => {
      if (invite.revokedAt !== null) {
        return Effect.fail(new InviteUnusable({ reason: "revoked", message: "This invite code has been revoked; ask an owner for a new one" }))
      }
      if (invite.expiresAt !== null && invite.expiresAt <= now) {
        return Effect.fail(new InviteUnusable({ reason: "expired", message: "This invite code has expired; ask an owner for a new one" }))
      }
      if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
        return Effect.fail(
          new InviteUnusable({
            reason: "used_up",
            message: `This invite code has been used ${invite.uses} of ${invite.maxUses} times; ask an owner for a new one`
          })
        )
      }
      return Effect.void
    }

    /** Locks the invite for the rest of the transaction and refuses it when unknown, revoked, expired or used up. */
    const checkUsable = Effect.fn("Invites.checkUsable")(function*(code: string) {
      const invite = yield* locked(code)
      yield* usable(invite, DateTime.toDate(yield* DateTime.now))
    })

    const join = Effect.fn("Workspaces.join")(
      function*(code: string) {
        const actor = yield* CurrentActor
        yield* access.unrestricted("join other workspaces")
        const invite = yield* locked(code)
        const workspaceId = invite.workspaceId as WorkspaceId
        const existing = yield* repo.findMembership(actor.userId, workspaceId)
        if (Option.isSome(existing)) return new JoinedWorkspace({ workspace: existing.value, alreadyMember: true })
        const now = DateTime.toDate(yield* DateTime.now)
        yield* usable(invite, now)
        yield* repo.addMember(workspaceId, actor.userId, invite.id)
        yield* audit.record({ type: "member.joined", workspaceId, targetId: actor.userId, details: { inviteId: invite.id } })
        const joined = yield* repo.findMembership(actor.userId, workspaceId).pipe(Effect.flatMap(Effect.orDie))
        const member = yield* access.memberOf(workspaceId, actor.userId)
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
      const workspace = yield* access.membership(id)
      yield* access.requireShared(workspace, "have invites")
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

    return { join, checkUsable, createInvite, listInvites, revokeInvite } as const
  }),
  dependencies: [WorkspacesRepo.Default, WorkspaceAccess.Default, Events.Default, Audit.Default, AdmissionCache.Default]
}) {}
