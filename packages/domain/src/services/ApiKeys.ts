import { randomBytes } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Redacted } from "effect"
import type { Actor, KeyScope } from "../contract/Actor.js"
import { CurrentActor, InsufficientScope, scopeCovers, Unauthorized } from "../contract/Actor.js"
import type { Plan } from "../contract/User.js"
import { ApiKeyNotFound, CreatedApiKey, DEFAULT_GRACE_SECONDS } from "../contract/ApiKey.js"
import type { CreateApiKey, RotateApiKey } from "../contract/ApiKey.js"
import { Conflict, Forbidden, InvalidInput } from "../contract/Errors.js"
import type { ApiKeyId, UserId, WorkspaceId } from "../contract/Ids.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { ApiKeyCreated, ApiKeyRevoked } from "../contract/Events.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { Audit } from "./Audit.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { hashKey, keyActor, keyVerdict, malformedKey } from "./AdmissionVerdict.js"
import { Events } from "./Events.js"
import { transactional } from "../sql/Transactional.js"

const KEY_PREFIX = "ck_live_"
const newSecret = () => {
  const plaintext = KEY_PREFIX + randomBytes(24).toString("base64url")
  return { plaintext, prefix: plaintext.slice(0, KEY_PREFIX.length + 4), hash: hashKey(plaintext) }
}

export interface IssueOptions {
  readonly workspaceId?: WorkspaceId | null | undefined
  readonly expiresAt?: DateTime.Utc | undefined
}

export class ApiKeys extends Effect.Service<ApiKeys>()("@clockme/domain/ApiKeys", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* AccountsRepo
    const workspaces = yield* WorkspacesRepo
    const audit = yield* Audit
    const events = yield* Events
    const cache = yield* AdmissionCache

    /**
     * Issues a key for a user; the plaintext leaves only in the returned value and is stored hashed.
     * ApiKeyCreated goes to the key's workspace, else `eventWorkspaceId`, else the user's active workspace.
     */
    const issue = Effect.fn("ApiKeys.issue")(
      function*(
        userId: UserId,
        scope: KeyScope,
        label: string | null,
        options: IssueOptions = {},
        eventWorkspaceId?: WorkspaceId
      ) {
        const secret = newSecret()
        const now = yield* DateTime.now
        const key = yield* repo.insertKey({
          userId,
          prefix: secret.prefix,
          hash: secret.hash,
          scope,
          label,
          workspaceId: options.workspaceId ?? null,
          expiresAt: options.expiresAt === undefined ? null : DateTime.toDate(options.expiresAt),
          now: DateTime.toDate(now)
        })
        yield* audit.record({
          type: "key.created",
          userId,
          workspaceId: key.workspaceId,
          targetId: key.id,
          details: { scope, label, expiresAt: options.expiresAt === undefined ? null : DateTime.formatIso(options.expiresAt) }
        })
        const target = key.workspaceId ?? eventWorkspaceId ??
          (yield* repo.findUserById(userId).pipe(Effect.flatMap(Effect.orDie))).activeWorkspaceId
        yield* events.publish(new ApiKeyCreated({ occurredAt: now, workspaceId: target, userId, key }))
        return new CreatedApiKey({ key, secret: secret.plaintext })
      },
      transactional(sql)
    )

    /**
     * The caller a key stands for, from one cached row (AdmissionCache: key, plan, active workspace, role);
     * the key's time limits are checked on every request, so a cached row never outlives them.
     */
    const authenticate = Effect.fnUntraced(function*(token: Redacted.Redacted<string>) {
      const plaintext = Redacted.value(token).trim()
      const malformed = malformedKey(plaintext)
      if (malformed !== undefined) return yield* malformed
      const hash = hashKey(plaintext)
      const key = yield* cache.through(hash, Effect.map(repo.findAdmission(hash), Option.getOrUndefined))
      const now = yield* DateTime.now
      const verdict = keyVerdict(key, hash, DateTime.toEpochMillis(now))
      if (verdict === "expired") {
        const expiresAt = key!.expiresAt!
        yield* audit.record({
          type: "key.expired",
          userId: key!.userId,
          workspaceId: key!.workspaceId,
          targetId: key!.id,
          details: { expiresAt: DateTime.formatIso(expiresAt) },
          dedupeKey: `key.expired:${key!.id}`
        })
        return yield* new Unauthorized({
          message: `This API key expired at ${DateTime.formatIso(expiresAt)}; create a new one`
        })
      }
      if (verdict !== undefined) return yield* verdict
      const admitted = key!
      const lastUsed = admitted.lastUsedAt === null ? undefined : DateTime.toEpochMillis(admitted.lastUsedAt)
      if (yield* cache.shouldTouch(admitted.id, lastUsed)) {
        yield* repo.touchKey(admitted.id, DateTime.toDate(now), DateTime.toDate(DateTime.subtract(now, { minutes: 1 })))
      }
      return { actor: keyActor(admitted), plan: admitted.plan }
    })

    /**
     * `authenticate` without an effect, at `now` (epoch ms), when it needs neither the database nor a write: the
     * key's row is cached and fresh, its "last used" is not due and it has not expired. Otherwise undefined, and
     * `authenticate` decides. Its refusals and its caller are `authenticate`'s.
     */
    const authenticateCached = (token: string, now: number): { readonly actor: Actor; readonly plan: Plan } | Unauthorized | undefined => {
      const plaintext = token.trim()
      const malformed = malformedKey(plaintext)
      if (malformed !== undefined) return malformed
      const hash = hashKey(plaintext)
      const key = cache.cachedAt(hash, now)
      if (key === undefined) return undefined
      const verdict = keyVerdict(key, hash, now)
      if (verdict === "expired") return undefined
      if (verdict !== undefined) return verdict
      if (cache.touchDue(key.id, key.lastUsedAt === null ? undefined : DateTime.toEpochMillis(key.lastUsedAt), now)) return undefined
      return { actor: keyActor(key), plan: key.plan }
    }

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listKeys(actor.userId, actor.keyWorkspaceId ?? null)
    }).pipe(Effect.withSpan("ApiKeys.list"))

    const create = Effect.fn("ApiKeys.create")(function*(input: CreateApiKey) {
      const actor = yield* CurrentActor
      const scope = input.scope ?? "full"
      if (!scopeCovers(actor.scope, scope)) {
        return yield* new InsufficientScope({
          required: scope,
          scope: actor.scope,
          message: `A key with the "${actor.scope}" scope cannot create a key with the "${scope}" scope`
        })
      }
      const restricted = actor.keyWorkspaceId ?? null
      if (restricted !== null && input.workspaceId !== restricted) {
        return yield* new Forbidden({
          message: `This key is restricted to workspace ${restricted}: it can only create keys restricted to it ` +
            `(send "workspaceId": "${restricted}")`
        })
      }
      if (input.workspaceId !== undefined && Option.isNone(yield* workspaces.findMembership(actor.userId, input.workspaceId))) {
        return yield* WorkspaceNotFound.byId(input.workspaceId)
      }
      const now = yield* DateTime.now
      if (input.expiresAt !== undefined && !DateTime.greaterThan(input.expiresAt, now)) {
        return yield* new InvalidInput({ field: "expiresAt", message: "expiresAt must be in the future" })
      }
      return yield* issue(
        actor.userId,
        scope,
        input.label ?? null,
        { workspaceId: input.workspaceId, expiresAt: input.expiresAt },
        actor.workspaceId
      )
    })

    const notFound = (id: ApiKeyId) => new ApiKeyNotFound({ keyId: id, message: `API key ${id} not found` })

    /** A new secret for the key; the old one keeps working for the grace period. */
    const rotate = Effect.fn("ApiKeys.rotate")(function*(id: ApiKeyId, input: RotateApiKey | null) {
      const actor = yield* CurrentActor
      const found = yield* repo.findKey(actor.userId, id, actor.keyWorkspaceId ?? null)
      if (Option.isNone(found)) return yield* notFound(id)
      const now = yield* DateTime.now
      const key = found.value
      if (key.revokedAt !== null || (key.expiresAt !== null && !DateTime.lessThan(now, key.expiresAt))) {
        return yield* new Conflict({
          message: `API key ${id} is ${key.revokedAt !== null ? "revoked" : "expired"} and cannot be rotated; create a new one`
        })
      }
      const graceSeconds = input?.graceSeconds ?? DEFAULT_GRACE_SECONDS
      const previousUntil = DateTime.add(now, { seconds: graceSeconds })
      const secret = newSecret()
      const rotated = yield* repo.rotateKey(id, {
        hash: secret.hash,
        prefix: secret.prefix,
        previousUntil: DateTime.toDate(previousUntil),
        now: DateTime.toDate(now)
      })
      if (Option.isNone(rotated)) return yield* notFound(id)
      yield* audit.record({
        type: "key.rotated",
        userId: actor.userId,
        workspaceId: key.workspaceId,
        targetId: id,
        details: { graceSeconds, previousSecretExpiresAt: DateTime.formatIso(previousUntil) }
      })
      return new CreatedApiKey({ key: rotated.value, secret: secret.plaintext })
    }, cache.invalidating)

    const revoke = Effect.fn("ApiKeys.revoke")(function*(id: ApiKeyId) {
      const actor = yield* CurrentActor
      const now = yield* DateTime.now
      const revoked = yield* repo.revokeKey(actor.userId, id, DateTime.toDate(now), actor.keyWorkspaceId ?? null)
      if (Option.isNone(revoked)) return yield* notFound(id)
      const { changed, key } = revoked.value
      if (changed) {
        yield* audit.record({ type: "key.revoked", userId: actor.userId, workspaceId: key.workspaceId, targetId: id })
        yield* events.publish(
          new ApiKeyRevoked({ occurredAt: now, workspaceId: key.workspaceId ?? actor.workspaceId, userId: actor.userId, key })
        )
      }
      return key
    }, transactional(sql), cache.invalidating)

    return { issue, authenticate, authenticateCached, list, create, rotate, revoke } as const
  }),
  dependencies: [AccountsRepo.Default, WorkspacesRepo.Default, Audit.Default, Events.Default, AdmissionCache.Default]
}) {}
