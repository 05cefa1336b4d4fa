import { expect, layer } from "@effect/vitest"
import * as fc from "fast-check"
import { appendFileSync } from "node:fs"
import { Effect, Option } from "effect"
import type { Reply } from "../lib/TestServer.js"
import { baseUrl, call, signUp } from "../lib/TestServer.js"
import type { Body } from "./Generators.js"
import { fieldsOf, headerText, idOf, mutatedObject, rawBody, SEED, seedFor, validSamples, weird, weirdString } from "./Generators.js"
import type { Endpoint } from "./World.js"
import { callWithin, endpoints, fillPath, makeWorld, ProofServer, writeWitness } from "./World.js"

/** Generated requests per endpoint; the contract's 64 endpoints make about two thousand per run. */
const RUNS = Number(process.env.PROOF_RUNS ?? 30)
/** PROOF_TRACE=file appends each request before it is sent (to find one the server never answers). */
const TRACE = process.env.PROOF_TRACE
/** Every answer, even to the worst input, within this. */
const BOUND_MS = 2000
/** Requests between two snapshots of the database. */
const WINDOW = 6

interface Probe {
  readonly auth: string | undefined
  readonly path: Record<string, string>
  readonly query: string
  readonly headers: Record<string, string>
  readonly body: Body
}

const toQuery = (params: Record<string, unknown>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      search.append(key, typeof item === "string" ? item : JSON.stringify(item) ?? "")
    }
  }
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

/** What one endpoint gets: every part of the request generated from the endpoint's own schemas. */
const probes = (ep: Endpoint, keys: ReadonlyArray<string | undefined>, ids: fc.Arbitrary<string>): fc.Arbitrary<Probe> => {
  const seed = seedFor(ep.id)
  const auth = fc.oneof(
    { weight: 8, arbitrary: fc.constant(keys[0]) },
    { weight: 3, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, "ck_live_nope", "", "x".repeat(300)) }
  )
  const path = fc.record(Object.fromEntries(ep.pathParams.map((name) => [name, ids])))
  const query = Option.match(ep.endpoint.urlParamsSchema, {
    onNone: () => fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), weirdString, { maxKeys: 2 }).map(toQuery) }),
    onSome: (schema) => {
      const fields = fieldsOf(schema.ast)
      return fc.oneof(
        { weight: 4, arbitrary: mutatedObject(validSamples(schema, seed), fields, ids) },
        { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...fields, "zzz"), fc.array(weirdString, { minLength: 1, maxLength: 3 })) }
      ).map((value) => toQuery(value as Record<string, unknown>))
    }
  })
  // Mostly none: a foreign workspace header or a wrong content type would stop most requests at the edge.
  const headers = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Record<string, string>>({}) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          "idempotency-key": headerText,
          "x-clockme-workspace": ids.filter((id) => /^[\x20-\x7e]*$/.test(id)),
          accept: fc.constantFrom("text/csv", "application/json", "*/*", "text/html", "garbage"),
          "content-type": fc.constantFrom("text/plain", "application/json; charset=latin1", "application/json")
        },
        { requiredKeys: [] }
      ).map((record) =>
        Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>
      )
    }
  )
  const body: fc.Arbitrary<Body> = ep.method === "GET"
    ? fc.constant({ kind: "none" })
    : Option.match(ep.endpoint.payloadSchema, {
      onNone: () => fc.oneof({ weight: 3, arbitrary: fc.constant<Body>({ kind: "none" }) }, { weight: 1, arbitrary: rawBody }),
      onSome: (schema) =>
        fc.oneof(
          {
            weight: 6,
            arbitrary: mutatedObject(validSamples(schema, seed), fieldsOf(schema.ast), ids).map((value): Body => ({ kind: "json", value }))
          },
          { weight: 1, arbitrary: weird.map((value): Body => ({ kind: "json", value })) },
          { weight: 2, arbitrary: rawBody },
          { weight: 1, arbitrary: fc.constant<Body>({ kind: "none" }) }
        )
    })
  return fc.record({ auth, path, query, headers, body })
}

const send = (base: string, ep: Endpoint, probe: Probe) =>
  callWithin(BOUND_MS * 3, base, ep.method, fillPath(ep.path, probe.path) + probe.query, {
    key: probe.auth,
    headers: {
      ...probe.headers,
      ...(probe.body.kind === "raw" && probe.body.contentType !== undefined ? { "content-type": probe.body.contentType } : {}),
      ...(probe.body.kind === "json" && probe.headers["content-type"] === undefined ? { "content-type": "application/json" } : {})
    },
    ...(probe.body.kind === "json" ? { rawBody: JSON.stringify(probe.body.value) ?? "null" } : {}),
    ...(probe.body.kind === "raw" ? { rawBody: probe.body.text } : {})
  })

/** Every error: JSON with a stable code and a message. */
const expectJsonError = (reply: Reply, at: string) => {
  expect(reply.headers.get("content-type"), at).toMatch(/application\/json/)
  expect(typeof reply.body?.code, at).toBe("string")
  expect(typeof reply.body?.message, at).toBe("string")
}

const statusesOf = new Map<string, Map<number, number>>()

layer(ProofServer, { timeout: 300_000 })("generated bad input against every endpoint of the contract", (it) => {
  it.effect("no 5xx, every error JSON with a code, nothing written by a refused request, every answer within 2 s", () =>
    Effect.gen(function*() {
      const cpuBefore = process.cpuUsage()
      const base = yield* baseUrl
      const world = yield* makeWorld(base, signUp())
      const { alice, bob, carol } = world
      const pool = [
        ...Object.values(alice).filter((v) => !v.startsWith("ck_")),
        ...Object.values(bob).filter((v) => !v.startsWith("ck_")),
        carol.userId
      ]
      const ids = idOf(pool)
      const keys = [alice.full, alice.write, alice.read, bob.full, carol.write, carol.full]
      const covered = new Set<string>()
      let requests = 0
      let slowest = 0
      // Requests since the last snapshot, and whether each was refused: a snapshot every few requests
      // proves that a window of refused requests wrote nothing (a window with a success proves nothing).
      let window: Array<{ readonly at: string; readonly refused: boolean }> = []
      const witness = yield* writeWitness
      const check = Effect.suspend(() => witness.check(window, "request")).pipe(Effect.tap(() => window = []))
      for (const ep of endpoints) {
        if (process.env.PROOF_ONLY && !ep.id.startsWith(process.env.PROOF_ONLY)) continue
        const statuses = new Map<number, number>()
        const generated = fc.sample(probes(ep, keys, ids), { seed: seedFor(ep.id), numRuns: RUNS })
        for (const [index, probe] of generated.entries()) {
          const started = performance.now()
          if (TRACE) appendFileSync(TRACE, `${ep.id} #${index} ${JSON.stringify(probe).slice(0, 400)}\n`)
          const reply = yield* send(base, ep, probe).pipe(
            Effect.catchAllDefect((defect) => Effect.die(new Error(`${String(defect)}: ${ep.id} ${JSON.stringify(probe)}`)))
          )
          const took = performance.now() - started
          requests++
          slowest = Math.max(slowest, took)
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
          const at = `${ep.id} #${index} (seed ${seedFor(ep.id)}): ${JSON.stringify(probe)} → ${reply.status} ${
            JSON.stringify(reply.body)?.slice(0, 300)
          }`
          expect(reply.status, at).toBeLessThan(500)
          expect(took, at).toBeLessThan(BOUND_MS)
          if (reply.status >= 400) expectJsonError(reply, at)
          window.push({ at, refused: reply.status >= 400 })
          if (window.length >= WINDOW || reply.status < 400) yield* check
        }
        yield* check
        // each endpoint was reached, and each that takes a key refused at least once
        expect([...statuses.values()].reduce((a, b) => a + b, 0), ep.id).toBe(RUNS)
        if (ep.authenticated) expect([...statuses.keys()].some((status) => status >= 400), ep.id).toBe(true)
        covered.add(ep.id)
        statusesOf.set(ep.id, statuses)
      }
      expect([...covered].sort()).toEqual(endpoints.map((ep) => ep.id).sort())
      expect(requests).toBeGreaterThanOrEqual(endpoints.length * RUNS)
      // the accounts still work: nothing the fuzz sent broke the server
      const me = yield* call(base, "GET", "/api/me", { key: alice.full })
      expect(me.status).toBe(200)
      if (process.env.PROOF_VERBOSE) for (const [id, st] of statusesOf) console.log(id, JSON.stringify([...st]))
      const cpu = process.cpuUsage(cpuBefore)
      console.log(`fuzz: ${requests} requests over ${endpoints.length} endpoints, slowest ${Math.round(slowest)} ms, seed ${SEED}, CPU ${
        Math.round((cpu.user + cpu.system) / 1000)
      } ms`)
    }), 180_000)
})
