import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Redacted } from "effect"
import type { Actor, KeyScope } from "../contract/Actor.js"
import { CurrentActor, InsufficientScope, requireScope, scopeCovers, Unauthorized } from "../contract/Actor.js"
import { ApiKeyNotFound, CreatedApiKey } from "../contract/ApiKey.js"
import type { CreateApiKey } from "../contract/ApiKey.js"
import { ApiKeyCreated, ApiKeyRevoked } from "../contract/Events.js"
import type { ApiKeyId, UserId, WorkspaceId } from "../contract/Ids.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { Events } from "./Events.js"

const KEY_PREFIX = "ck_live_"
const KEY_FORMAT = /^ck_live_[A-Za-z0-9_-]{20,128}$/

const hashKey = (plaintext: string) => createHash("sha256").update(plaintext).digest("hex")

export class ApiKeys extends Effect.Service<ApiKeys>()("@clockme/domain/ApiKeys", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* AccountsRepo
    const events = yield* Events

    /**
     * Issues a key for a user; the plaintext leaves only in the returned value and is stored hashed.
     * ApiKeyCreated goes to `workspaceId`, by default the user's active workspace.
     */
    const issue = Effect.fn("ApiKeys.issue")(function*(
      userId: UserId,
      scope: KeyScope,
      label: string | null,
      workspaceId?: WorkspaceId
    ) {
      const plaintext = KEY_PREFIX + randomBytes(24).toString("base64url")
      const key = yield* repo.insertKey({
        userId,
        prefix: plaintext.slice(0, KEY_PREFIX.length + 4),
        hash: hashKey(plaintext),
        scope,
        label
      })
      const target = workspaceId ??
        (yield* repo.findUserById(userId).pipe(Effect.flatMap(Effect.orDie))).activeWorkspaceId
      yield* events.publish(new ApiKeyCreated({ occurredAt: yield* DateTime.now, workspaceId: target, userId, key }))
      return new CreatedApiKey({ key, secret: plaintext })
    }, (effect) => sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die)))

    const authenticate = Effect.fn("ApiKeys.authenticate")(function*(token: Redacted.Redacted<string>) {
      const plaintext = Redacted.value(token).trim()
      if (plaintext === "") {
        return yield* new Unauthorized({ message: "Missing API key: send Authorization: Bearer ck_live_…" })
      }
      if (!KEY_FORMAT.test(plaintext)) {
        return yield* new Unauthorized({ message: "Malformed API key: ClockMe keys look like ck_live_ followed by 32 characters" })
      }
      const hash = hashKey(plaintext)
      const found = yield* repo.findKeyByHash(hash)
      const key = Option.getOrUndefined(found)
      if (!key || !timingSafeEqual(Buffer.from(key.hash, "hex"), Buffer.from(hash, "hex"))) {
        return yield* new Unauthorized({ message: "Invalid API key" })
      }
      if (key.revokedAt !== null) {
        return yield* new Unauthorized({ message: "This API key has been revoked; create a new one" })
      }
      const user = yield* repo.findUserById(key.userId)
      if (Option.isNone(user)) return yield* new Unauthorized({ message: "Invalid API key" })
      const now = yield* DateTime.now
      yield* repo.touchKey(key.id, DateTime.toDate(now), DateTime.toDate(DateTime.subtract(now, { minutes: 1 })))
      const actor: Actor = {
        userId: key.userId,
        workspaceId: user.value.activeWorkspaceId,
        keyId: key.id,
        scope: key.scope,
        source: "api"
      }
      return actor
    })

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listKeys(actor.userId)
    }).pipe(Effect.withSpan("ApiKeys.list"))

    const create = Effect.fn("ApiKeys.create")(function*(input: CreateApiKey) {
      const actor = yield* requireScope("full")
      const scope = input.scope ?? "full"
      if (!scopeCovers(actor.scope, scope)) {
        return yield* new InsufficientScope({
          required: scope,
          scope: actor.scope,
          message: `A key with the "${actor.scope}" scope cannot create a key with the "${scope}" scope`
        })
      }
      return yield* issue(actor.userId, scope, input.label ?? null, actor.workspaceId)
    })

    const revoke = Effect.fn("ApiKeys.revoke")(function*(id: ApiKeyId) {
      const actor = yield* requireScope("full")
      const now = yield* DateTime.now
      const revoked = yield* repo.revokeKey(actor.userId, id, DateTime.toDate(now))
      if (Option.isNone(revoked)) return yield* new ApiKeyNotFound({ keyId: id, message: `API key ${id} not found` })
      const { changed, key } = revoked.value
      if (changed) {
        yield* events.publish(new ApiKeyRevoked({ occurredAt: now, workspaceId: actor.workspaceId, userId: actor.userId, key }))
      }
      return key
    }, (effect) => sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die)))

    return { issue, authenticate, list, create, revoke } as const
  }),
  dependencies: [AccountsRepo.Default, Events.Default]
}) {}
