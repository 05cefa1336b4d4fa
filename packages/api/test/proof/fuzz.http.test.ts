import { expect, layer } from "@effect/vitest"
import * as fc from "fast-check"
import { appendFileSync } from "node:fs"
import { Effect, Option } from "effect"
import type { Reply } from "../lib/TestServer.js"
import { baseUrl, call, signUp } from "../lib/TestServer.js"
import type { Body } from "./Generators.js"
import { fieldsOf, headerText, idOf, mutatedObject, rawBody, SEED, seedFor, validSamples, weird, weirdString } from "./Generators.js"
import type { SideRoute } from "./Routes.js"
import { besideContract, servedRoutes, uncoveredRoutes } from "./Routes.js"
import type { Endpoint } from "./World.js"
import { callWithin, endpoints, fillPath, makeWorld, ProofServer, writeWitness } from "./World.js"

/** Generated requests per endpoint; the contract's 64 endpoints make about two thousand per run. */
const RUNS = Number(process.env.PROOF_RUNS ?? 30)
/** PROOF_TRACE=file appends each request before it is sent (to find one the server never answers). */
const TRACE = process.env.PROOF_TRACE
/** Every answer, even to the worst input, within this. */
const BOUND_MS = 2000

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

/** Mostly the first key, sometimes another, now and then none or a broken one. */
const authOf = (keys: ReadonlyArray<string | undefined>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(keys[0]) },
    { weight: 3, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, "ck_live_nope", "", "x".repeat(300)) }
  )

/** Mostly no extra header: a foreign workspace header or a wrong content type would stop most requests at the edge. */
const headersOf = (ids: fc.Arbitrary<string>) =>
  fc.oneof(
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

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const

/** A JSON-RPC message with generated parts, for a route that speaks JSON-RPC. */
const rpc = fc.record({
  jsonrpc: fc.constantFrom("2.0", "1.0"),
  id: fc.oneof(fc.nat(), fc.string({ maxLength: 8 }), fc.constant(null)),
  method: fc.oneof(fc.constantFrom("initialize", "tools/list", "tools/call", "ping", "resources/list"), fc.string({ maxLength: 12 })),
  params: weird
}, { requiredKeys: ["jsonrpc", "method"] })

/** What a route beside the contract gets: its method (any, for `*`), its parameters, key and body generated. */
const sideProbes = (route: string, side: SideRoute, keys: ReadonlyArray<string | undefined>, ids: fc.Arbitrary<string>) => {
  const [method, path] = route.split(" ") as [string, string]
  const params = [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!)
  const param = (name: string) =>
    side.params?.[name] === undefined
      ? ids
      : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...side.params[name]) }, { weight: 2, arbitrary: ids })
  const body: fc.Arbitrary<Body> = side.body === "none"
    ? fc.constant({ kind: "none" })
    : side.body === "raw"
    ? fc.oneof({ weight: 4, arbitrary: rawBody }, { weight: 1, arbitrary: weird.map((value): Body => ({ kind: "json", value })) })
    : fc.oneof(
      { weight: 4, arbitrary: rpc.map((value): Body => ({ kind: "json", value })) },
      { weight: 2, arbitrary: weird.map((value): Body => ({ kind: "json", value })) },
      { weight: 2, arbitrary: rawBody },
      { weight: 1, arbitrary: fc.constant<Body>({ kind: "none" }) }
    )
  return fc.record({
    method: method === "*" ? fc.constantFrom(...METHODS) : fc.constant(method),
    probe: fc.record({
      auth: side.access === "key" ? authOf(keys) : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: authOf(keys) }),
      path: fc.record(Object.fromEntries(params.map((name) => [name, param(name)]))),
      query: fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 6 }), weirdString, { maxKeys: 2 }).map(toQuery) }),
      headers: headersOf(ids),
      body
    })
  }).map(({ method, probe }) => ({ method, probe: method === "GET" ? { ...probe, body: { kind: "none" } as Body } : probe }))
}

/** What one endpoint gets: every part of the request generated from the endpoint's own schemas. */
const probes = (ep: Endpoint, keys: ReadonlyArray<string | undefined>, ids: fc.Arbitrary<string>): fc.Arbitrary<Probe> => {
  const seed = seedFor(ep.id)
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
  return fc.record({ auth: authOf(keys), path, query, headers: headersOf(ids), body })
}

const send = (base: string, ep: Pick<Endpoint, "method" | "path">, probe: Probe) =>
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

/** Every error: JSON with a stable code and a message (or, from a JSON-RPC route, a JSON-RPC error). */
const expectJsonError = (reply: Reply, at: string, errors: SideRoute["errors"] = "problem") => {
  expect(reply.headers.get("content-type"), at).toMatch(/application\/json/)
  if (errors === "json-rpc" && typeof reply.body?.error === "object") {
    expect(typeof reply.body.error.code, at).toBe("number")
    expect(typeof reply.body.error.message, at).toBe("string")
    return
  }
  expect(typeof reply.body?.code, at).toBe("string")
  expect(typeof reply.body?.message, at).toBe("string")
}

const statusesOf = new Map<string, Map<number, number>>()

layer(ProofServer, { timeout: 300_000 })("generated bad input against every route the server serves", (it) => {
  it.effect("every route of the server's router is a contract endpoint or listed beside the contract, so the fuzz covers it", () =>
    Effect.gen(function*() {
      const served = yield* servedRoutes
      const problems = uncoveredRoutes(served, endpoints.map((ep) => `${ep.method} ${ep.path}`))
      expect(problems, problems.join("\n\n")).toEqual([])
      // and the reflection found the routes at all
      expect(served.length).toBe(endpoints.length + Object.keys(besideContract).length)
    }))

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
      // after each request: a refused one wrote nothing
      const witness = yield* writeWitness
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
          yield* witness.check(at, reply.status >= 400, "request")
        }
        // each endpoint was reached, and each that takes a key refused at least once
        expect([...statuses.values()].reduce((a, b) => a + b, 0), ep.id).toBe(RUNS)
        if (ep.authenticated) expect([...statuses.keys()].some((status) => status >= 400), ep.id).toBe(true)
        covered.add(ep.id)
        statusesOf.set(ep.id, statuses)
      }
      // the routes beside the contract: the same bounds, refusals as JSON, nothing written by a refusal
      for (const [route, side] of Object.entries(besideContract)) {
        const statuses = new Map<number, number>()
        const generated = fc.sample(sideProbes(route, side, keys, ids), { seed: seedFor(route), numRuns: RUNS })
        for (const [index, { method, probe }] of generated.entries()) {
          const started = performance.now()
          const reply = yield* send(base, { method, path: route.split(" ")[1]! }, probe)
          const took = performance.now() - started
          requests++
          slowest = Math.max(slowest, took)
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
          const at = `${route} #${index} (seed ${seedFor(route)}): ${method} ${JSON.stringify(probe)} → ${reply.status} ${
            JSON.stringify(reply.body)?.slice(0, 300)
          }`
          expect(reply.status, at).toBeLessThan(500)
          expect(took, at).toBeLessThan(BOUND_MS)
          if (reply.status >= 400) expectJsonError(reply, at, side.errors)
          if (side.access === "key" && probe.auth === undefined) expect(reply.status, at).toBe(401)
          yield* witness.check(at, reply.status >= 400, "request")
        }
        expect([...statuses.values()].reduce((a, b) => a + b, 0), route).toBe(RUNS)
        covered.add(route)
        statusesOf.set(route, statuses)
      }
      const served = yield* servedRoutes
      expect(uncoveredRoutes(served, endpoints.map((ep) => `${ep.method} ${ep.path}`))).toEqual([])
      expect([...covered].sort()).toEqual([...endpoints.map((ep) => ep.id), ...Object.keys(besideContract)].sort())
      expect(requests).toBeGreaterThanOrEqual((endpoints.length + Object.keys(besideContract).length) * RUNS)
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
