import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { baseUrl, signUp } from "../lib/TestServer.js"
import { callWithin, ProofServer } from "./World.js"

/** Defects the generated requests found, each pinned by the request that found it. */
layer(ProofServer, { timeout: 120_000 })("what the generated requests found", (it) => {
  it.effect("a request without a body is answered as one, whatever its Content-Type: never a hang, a 500 or a form read as {}", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const types = [
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream"
      ]
      for (const contentType of types) {
        // an optional body: the same answer as with no Content-Type at all
        const stop = yield* callWithin(2000, base, "POST", "/api/timer/stop", {
          key,
          rawBody: "",
          headers: { "content-type": contentType }
        })
        expect({ contentType, status: stop.status, code: stop.body?.code }).toEqual({
          contentType,
          status: 404,
          code: "timer_not_running"
        })
        // a required body: a 400 naming the body, not an empty form read as {}
        const create = yield* callWithin(2000, base, "POST", "/api/projects", {
          key,
          rawBody: "",
          headers: { "content-type": contentType }
        })
        expect({ contentType, status: create.status, code: create.body?.code }).toEqual({
          contentType,
          status: 400,
          code: "invalid_input"
        })
      }
      const projects = yield* callWithin(2000, base, "GET", "/api/projects", { key })
      expect(projects.body).toEqual([])
    }))
})
