import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto"
import { Config, ConfigError, Effect, Either, Option, Redacted } from "effect"
import { SecretKeyMissing } from "../contract/Integration.js"

const HOW_TO =
  "Set CLOCKME_SECRET_KEY to 32 random bytes, base64-encoded (for example the output of `openssl rand -base64 32`), " +
  "and restart the server. When you replace it later, keep the old one in CLOCKME_SECRET_KEYS (comma-separated) " +
  "so stored secrets still decrypt."

interface Key {
  readonly id: string
  readonly bytes: Buffer
}

const parseKey = (text: string): Key | undefined => {
  const trimmed = text.trim()
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64")
  if (bytes.length !== 32) return undefined
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes }
}

const keyConfig = Config.all({
  current: Config.option(Config.redacted("CLOCKME_SECRET_KEY")),
  previous: Config.redacted("CLOCKME_SECRET_KEYS").pipe(Config.withDefault(Redacted.make("")))
}).pipe(
  Config.mapOrFail(({ current, previous }) => {
    const currentKey = Option.map(current, (value) => parseKey(Redacted.value(value)))
    if (Option.isSome(currentKey) && currentKey.value === undefined) {
      return Either.left(
        ConfigError.InvalidData(["CLOCKME_SECRET_KEY"], `must be 32 bytes, base64 or hex encoded. ${HOW_TO}`)
      )
    }
    const old = Redacted.value(previous).split(",").filter((part) => part.trim() !== "").map(parseKey)
    if (old.some((key) => key === undefined)) {
      return Either.left(ConfigError.InvalidData(["CLOCKME_SECRET_KEYS"], "every key must be 32 bytes, base64 or hex"))
    }
    return Either.right({ current: Option.getOrUndefined(currentKey), old: old as ReadonlyArray<Key> })
  })
)

const missingKey = () =>
  new SecretKeyMissing({ message: `This server cannot store secrets: no encryption key is set. ${HOW_TO}` })

const b64 = (buffer: Buffer) => buffer.toString("base64url")

/**
 * Secrets at rest: AES-256-GCM under CLOCKME_SECRET_KEY, sealed as `v1.<key id>.<iv>.<tag>.<ciphertext>`
 * with the owning record's id as associated data, so a sealed value cannot be moved to another record.
 */
export class SecretBox extends Effect.Service<SecretBox>()("@clockme/domain/SecretBox", {
  effect: Effect.gen(function*() {
    const { current, old } = yield* keyConfig
    const keys = new Map<string, Key>([...old, ...(current ? [current] : [])].map((key) => [key.id, key]))

    const seal = Effect.fn("SecretBox.seal")(function*(plaintext: string, boundTo: string) {
      if (current === undefined) {
        return yield* missingKey()
      }
      const iv = randomBytes(12)
      const cipher = createCipheriv("aes-256-gcm", current.bytes, iv)
      cipher.setAAD(Buffer.from(boundTo))
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
      return `v1.${current.id}.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(body)}`
    })

    /** The plaintext, or a defect when the key that sealed it is gone or the value was tampered with. */
    const open = Effect.fn("SecretBox.open")(function*(sealed: string, boundTo: string) {
      const [version, keyId, iv, tag, body] = sealed.split(".")
      const key = keyId === undefined ? undefined : keys.get(keyId)
      if (version !== "v1" || iv === undefined || tag === undefined || body === undefined) {
        return yield* Effect.dieMessage("A stored secret is not in a format this server knows")
      }
      if (key === undefined) {
        return yield* Effect.dieMessage(
          `A stored secret was sealed with key ${keyId}, which is neither CLOCKME_SECRET_KEY nor in CLOCKME_SECRET_KEYS`
        )
      }
      return yield* Effect.try({
        try: () => {
          const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"))
          decipher.setAAD(Buffer.from(boundTo))
          decipher.setAuthTag(Buffer.from(tag, "base64url"))
          return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8")
        },
        catch: () => "A stored secret failed its integrity check"
      }).pipe(Effect.orDieWith((message) => new Error(message)))
    })

    /** Whether `sealed` uses an older key (re-seal it on the next write). */
    const isStale = (sealed: string) => current !== undefined && sealed.split(".")[1] !== current.id

    // a key of its own, derived from the server key, so fingerprints never reuse the encryption key's bytes
    const fingerprintKey = current === undefined
      ? undefined
      : Buffer.from(hkdfSync("sha256", current.bytes, Buffer.alloc(0), "clockme secret fingerprint v1", 32))

    /**
     * A short, stable way to recognise a secret without revealing it: an HMAC under the server key, so a
     * weak secret cannot be confirmed offline from its fingerprint (a plain hash could be).
     */
    const fingerprint = Effect.fn("SecretBox.fingerprint")(function*(plaintext: string) {
      if (fingerprintKey === undefined) {
        return yield* missingKey()
      }
      return "hmac-sha256:" + createHmac("sha256", fingerprintKey).update(plaintext).digest("hex").slice(0, 16)
    })

    return { seal, open, isStale, fingerprint, configured: current !== undefined } as const
  })
}) {}
