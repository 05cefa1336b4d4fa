import { expect, it as test, layer } from "@effect/vitest"
import { Effect } from "effect"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe, ClockMeError } from "../src/index.js"
import { standIn } from "./lib/StandIn.js"

const TWENTY_MB = 20 * 1024 * 1024

/** A JSON body padded with whitespace (still valid JSON) to the given size. */
const padded = (text: string, size: number) => text + " ".repeat(Math.max(0, size - text.length))

const textOf = (body: unknown): string =>
  typeof body === "string" ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : expect.fail(`unexpected body ${String(body)}`)

layer(TestServer, { timeout: 120_000, excludeTestServices: true })("the SDK against the server's refusals", (it) => {
  it.effect("the SDK reports a body that is too large as its typed 413, not a network error", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      // a client whose requests carry 20 MB (valid JSON, padded), as an oversized batch would
      const inflating: typeof fetch = (input, init) =>
        fetch(input, { ...init, body: padded(textOf(init?.body), TWENTY_MB) })
      const clockme = new ClockMe({ baseUrl: base, apiKey: key, fetch: inflating, retry: { retries: 0 } })
      const failure = yield* Effect.promise(() => clockme.projects.create({ name: "Huge" }).then(() => undefined, (e: unknown) => e))
      expect(failure).toBeInstanceOf(ClockMeError)
      expect(failure).toMatchObject({ code: "payload_too_large", status: 413, tag: "PayloadTooLarge" })
      expect((failure as ClockMeError).message).toContain("1048576 bytes")
    }))

})

test("a refusal that is not the contract's (a proxy's 413 page) is reported by its status, not as a broken answer", async () => {
  const proxy = await standIn({
    answer: async () => ({ status: 413, headers: { "content-type": "text/html" }, body: "<html>413 Request Entity Too Large</html>" })
  })
  try {
    const clockme = new ClockMe({ apiKey: "ck_live_x", baseUrl: proxy.url, retry: { retries: 0 } })
    const failure = await clockme.projects.create({ name: "Behind a proxy" }).then(() => undefined, (e: unknown) => e)
    expect(failure).toBeInstanceOf(ClockMeError)
    expect(failure).toMatchObject({ code: "http_error", status: 413 })
  } finally {
    await proxy.close()
  }
})
