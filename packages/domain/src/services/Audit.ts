import { DateTime, Effect, Option } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { AuditLog } from "../contract/Audit.js"
import type { AuditEventType, AuditQuery } from "../contract/Audit.js"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { AuditRepo } from "../repos/AuditRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"

/** What happened to an integration connection, for its owners' audit log. */
export type AuditIntegrationEvent = Extract<AuditEventType, `integration.${string}`>

export interface AuditInput {
  readonly type: AuditEventType
  /** The account it concerns; defaults to the acting user. */
  readonly userId?: UserId | null | undefined
  readonly workspaceId?: WorkspaceId | null | undefined
  readonly targetId?: string | null | undefined
  readonly details?: Record<string, unknown> | undefined
  readonly dedupeKey?: string | undefined
}

/** Who did what to keys, memberships, invites and integrations; never secrets or invite codes. */
export class Audit extends Effect.Service<Audit>()("@clockme/domain/Audit", {
  effect: Effect.gen(function*() {
    const repo = yield* AuditRepo
    const workspaces = yield* WorkspacesRepo

    /** Records an event by the current actor, if any (none: the server itself, e.g. a key seen expired). */
    const record = Effect.fn("Audit.record")(function*(input: AuditInput) {
      const actor = yield* Effect.serviceOption(CurrentActor)
      const now = yield* DateTime.now
      yield* repo.insert({
        type: input.type,
        actorUserId: Option.match(actor, { onNone: () => null, onSome: (a) => a.userId }),
        actorKeyId: Option.match(actor, { onNone: () => null, onSome: (a) => a.keyId }),
        userId: input.userId === undefined ? Option.match(actor, { onNone: () => null, onSome: (a) => a.userId }) : input.userId,
        workspaceId: input.workspaceId ?? null,
        targetId: input.targetId ?? null,
        details: input.details ?? {},
        dedupeKey: input.dedupeKey,
        now: DateTime.toDate(now)
      })
    })

    /**
     * The hook for integrations: call it in the transaction that connects, re-keys (a webhook's rotation, new
     * secrets) or deletes a connection.
     */
    const integration = (
      type: AuditIntegrationEvent,
      input: {
        readonly workspaceId: WorkspaceId
        readonly integrationId: string
        readonly provider: string
        /** The account it concerns; default the acting user, null for none (the server acted alone). */
        readonly userId?: UserId | null | undefined
      }
    ) =>
      record({
        type,
        userId: input.userId,
        workspaceId: input.workspaceId,
        targetId: input.integrationId,
        details: { provider: input.provider }
      })

    const list = Effect.fn("Audit.list")(function*(query: AuditQuery) {
      const actor = yield* CurrentActor
      const restricted = actor.keyWorkspaceId ?? undefined
      const workspaceId = query.workspaceId ?? restricted
      if (workspaceId !== undefined) {
        const member = yield* workspaces.findMembership(actor.userId, workspaceId)
        if (Option.isNone(member) || (restricted !== undefined && workspaceId !== restricted)) {
          return yield* WorkspaceNotFound.byId(workspaceId)
        }
      }
      const events = yield* repo.list({ viewer: actor.userId, workspaceId, type: query.type, limit: query.limit ?? 100 })
      return new AuditLog({ events })
    })

    return { record, integration, list } as const
  }),
  dependencies: [AuditRepo.Default, WorkspacesRepo.Default]
}) {}
