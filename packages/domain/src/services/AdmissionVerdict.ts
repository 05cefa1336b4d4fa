import * as crypto from "node:crypto"
import { DateTime } from "effect"
import type { Actor } from "../contract/Actor.js"
import { Unauthorized } from "../contract/Actor.js"
import type { KeyAdmission } from "../repos/AccountsRepo.js"

const KEY_FORMAT = /^ck_live_[A-Za-z0-9_-]{20,128}$/

/** Node's one-shot hash where it has one (20.12+): a fourth of a Hash object's cost, on every request. */
export const hashKey: (plaintext: string) => string = typeof crypto.hash === "function"
  ? (plaintext) => crypto.hash("sha256", plaintext, "hex")
  : (plaintext) => crypto.createHash("sha256").update(plaintext).digest("hex")

const sameHash = (stored: string | null, hash: string) =>
  stored !== null && crypto.timingSafeEqual(Buffer.from(stored, "hex"), Buffer.from(hash, "hex"))

/** A key refused before it is looked up: none sent, or not in the shape of ClockMe's keys. */
export const malformedKey = (plaintext: string): Unauthorized | undefined => {
  if (plaintext === "") return new Unauthorized({ message: "Missing API key: send Authorization: Bearer ck_live_…" })
  if (!KEY_FORMAT.test(plaintext)) {
    return new Unauthorized({ message: "Malformed API key: ClockMe keys look like ck_live_ followed by 32 characters" })
  }
  return undefined
}

/**
 * What the key's row says of a key hashing to `hash` at `now` (epoch ms), in the order the checks are made:
 * its refusal, "expired" (refused too, once the expiry is recorded), or undefined when it is admitted.
 */
export const keyVerdict = (key: KeyAdmission | undefined, hash: string, now: number): Unauthorized | "expired" | undefined => {
  const current = key !== undefined && sameHash(key.hash, hash)
  const previous = key !== undefined && !current && sameHash(key.previousHash, hash)
  if (!key || (!current && !previous)) return new Unauthorized({ message: "Invalid API key" })
  if (key.revokedAt !== null) return new Unauthorized({ message: "This API key has been revoked; create a new one" })
  if (key.expiresAt !== null && now >= DateTime.toEpochMillis(key.expiresAt)) return "expired"
  if (previous && (key.previousSecretExpiresAt === null || now >= DateTime.toEpochMillis(key.previousSecretExpiresAt))) {
    return new Unauthorized({
      message: "This API key was rotated and its previous secret no longer works; use the new secret"
    })
  }
  if (key.workspaceId !== null && key.role === null) {
    return new Unauthorized({
      message: "This API key is restricted to a workspace you are no longer a member of; create a new one"
    })
  }
  return undefined
}

/** The caller an admitted key stands for. */
export const keyActor = (key: KeyAdmission): Actor => ({
  userId: key.userId,
  workspaceId: key.workspaceId ?? key.activeWorkspaceId,
  keyId: key.id,
  keyWorkspaceId: key.workspaceId,
  scope: key.scope,
  role: key.role,
  source: "api"
})
