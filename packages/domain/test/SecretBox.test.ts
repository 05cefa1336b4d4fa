import { describe, expect, it } from "@effect/vitest"
import { createHash, randomBytes } from "node:crypto"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { SecretBox } from "../src/services/SecretBox.js"

const box = (env: Record<string, string>) =>
  SecretBox.Default.pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))

const oldKey = randomBytes(32).toString("base64")
const newKey = randomBytes(32).toString("hex")

describe("SecretBox", () => {
  it.effect("a fingerprint is an HMAC under the server key: stable under one key, another under another, no plain hash", () =>
    Effect.gen(function*() {
      const under = (key: string) =>
        Effect.flatMap(SecretBox, (b) => b.fingerprint("{\"token\":\"weak\"}")).pipe(Effect.provide(box({ CLOCKME_SECRET_KEY: key })))
      const first = yield* under(oldKey)
      expect(first).toMatch(/^hmac-sha256:[0-9a-f]{16}$/)
      expect(yield* under(oldKey)).toBe(first)
      expect(yield* under(newKey)).not.toBe(first)
      const plain = createHash("sha256").update("{\"token\":\"weak\"}").digest("hex")
      expect(first).not.toContain(plain.slice(0, 12))
      const keyless = yield* Effect.exit(Effect.flatMap(SecretBox, (b) => b.fingerprint("x")).pipe(Effect.provide(box({}))))
      expect(Exit.isFailure(keyless)).toBe(true)
    }))

  it.effect("seals with AES-256-GCM bound to its record; opens after a key rotation with the old key kept", () =>
    Effect.gen(function*() {
      const sealed = yield* Effect.flatMap(SecretBox, (b) => b.seal("whsec_abc", "record-1")).pipe(
        Effect.provide(box({ CLOCKME_SECRET_KEY: oldKey }))
      )
      expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\./)
      expect(sealed).not.toContain("whsec_abc")
      const rotated = box({ CLOCKME_SECRET_KEY: newKey, CLOCKME_SECRET_KEYS: oldKey })
      expect(yield* Effect.flatMap(SecretBox, (b) => b.open(sealed, "record-1")).pipe(Effect.provide(rotated))).toBe("whsec_abc")
      expect(yield* Effect.map(SecretBox, (b) => b.isStale(sealed)).pipe(Effect.provide(rotated))).toBe(true)
      const moved = yield* Effect.exit(Effect.flatMap(SecretBox, (b) => b.open(sealed, "record-2")).pipe(Effect.provide(rotated)))
      expect(Exit.isFailure(moved)).toBe(true)
      const lost = yield* Effect.exit(
        Effect.flatMap(SecretBox, (b) => b.open(sealed, "record-1")).pipe(Effect.provide(box({ CLOCKME_SECRET_KEY: newKey })))
      )
      expect(Exit.isFailure(lost)).toBe(true)
    }))

  it.effect("refuses to store a secret without a key, saying how to set one", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(SecretBox, (b) => b.seal("x", "r")).pipe(Effect.provide(box({}))))
      expect(error._tag).toBe("SecretKeyMissing")
      expect(error.message).toContain("CLOCKME_SECRET_KEY")
      expect(error.message).toContain("openssl rand -base64 32")
    }))
})
