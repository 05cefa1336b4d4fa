import { expect, layer } from "@effect/vitest"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { KeyScope } from "@clockme/domain/contract/Actor"
import { Effect, Either, Option, Schema } from "effect"
import { connectMcp } from "../lib/McpClient.js"
import { baseUrl, call, signUp } from "../lib/TestServer.js"
import { fieldsOf, seedFor, validSamples } from "./Generators.js"
import type { Endpoint, Holdings } from "./World.js"
import { endpoints, fillPath, makeWorld, ProofServer } from "./World.js"

/**
 * Which object of an account a path parameter names, by the endpoint's group: the one table here, and
 * checked to cover every parameter of every endpoint (a new endpoint with an id fails until it is added).
 */
const idKinds: Record<string, Record<string, keyof Holdings | "unknown">> = {
  entries: { id: "entry" },
  projects: { id: "project" },
  tasks: { id: "task" },
  workspaces: { id: "shared", inviteId: "invite", userId: "userId" },
  budgets: { id: "project" },
  keys: { id: "spareKey" },
  integrations: { id: "webhook" },
  webhooks: { id: "webhook", deliveryId: "delivery" },
  zapier: { id: "zap" }
}

/** Path parameters that are no object id (a literal such as a Zapier event). */
const literals: Record<string, string> = { event: "entry.created", externalId: "octocat" }

/** The endpoint's path with each object id taken from the account `ownerOf` names for that parameter. */
const pathWith = (ep: Endpoint, ownerOf: (param: string) => Holdings) =>
  fillPath(
    ep.path,
    Object.fromEntries(ep.pathParams.map((param) => {
      if (literals[param] !== undefined) return [param, literals[param]]
      const kind = idKinds[ep.group]?.[param]
      if (kind === undefined) throw new Error(`${ep.id}: no id kind for :${param}; add it to idKinds`)
      return [param, kind === "unknown" ? crypto.randomUUID() : ownerOf(param)[kind]]
    }))
  )

const pathFor = (ep: Endpoint, owner: Holdings) => pathWith(ep, () => owner)

/** The same holdings with every object id replaced by one that does not exist (keys kept). */
const unknownHoldings = (owner: Holdings) =>
  Object.fromEntries(Object.entries(owner).map(([kind, id]) => [kind, id.startsWith("ck_") ? id : crypto.randomUUID()])) as unknown as Holdings

const objectParams = (ep: Endpoint) => ep.pathParams.filter((param) => literals[param] === undefined)

/** Plausible values for fields by name, so that samples of the right shape also pass the fields' checks. */
const plausible = (owner: Holdings, field: string, value: unknown, texts: boolean): unknown => {
  if (field === "projectId" || field === "currentProjectId" || field === "fallbackProjectId") return owner.project
  if (field === "taskId") return owner.task
  if (field === "workspaceId") return owner.personal
  if (field === "startTime") return "2026-06-09T08:00:00Z"
  if (field === "endTime") return "2026-06-09T08:30:00Z"
  if (field === "at" || field === "since" || field === "expiresAt") return undefined
  if (field === "url" || field === "target_url") return "http://127.0.0.1:9/other"
  if (field === "from") return "2026-06-01"
  if (field === "to") return "2026-06-30"
  if (field === "timezone") return "Europe/Berlin"
  if (field === "integration") return "zapier"
  if (field === "events") return ["timer.started"]
  if (field === "config" || field === "secrets") return undefined
  if (field === "currency") return "EUR"
  if (texts && typeof value === "string") return "Matrix"
  return value
}

/** A body the endpoint decodes (so the answer is about the object or the key, not the input), or none. */
const bodyFor = (ep: Endpoint, owner: Holdings): unknown => {
  if (ep.method === "GET") return undefined
  return Option.match(ep.endpoint.payloadSchema, {
    onNone: () => undefined,
    onSome: (schema) => {
      const decodes = (value: unknown) => Either.isRight(Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>)(value))
      const fix = (texts: boolean) => (value: unknown) =>
        typeof value === "object" && value !== null && !Array.isArray(value)
          ? Object.fromEntries(
            Object.entries(value).flatMap(([field, v]) => {
              const fixed = plausible(owner, field, v, texts)
              return fixed === undefined ? [] : [[field, fixed]]
            })
          )
          : value
      const samples = validSamples(schema, seedFor(ep.id), 100)
      // and, when no sample can be derived, every declared field with a plausible value
      const declared = fix(true)(Object.fromEntries(fieldsOf(schema.ast).map((field) => [field, "x"])))
      const candidates = [{}, null, ...samples.map(fix(false)), ...samples.map(fix(true)), declared]
      return candidates.find(decodes) ?? {}
    }
  })
}

/**
 * The endpoints a full key needs, stated here once as the README documents them: managing keys, creating,
 * joining, switching and managing workspaces, invite codes (even listing them), the profile, and every
 * integration (webhooks and Zapier included). Every other endpoint needs a read key for a GET and a write
 * key otherwise.
 */
const fullScope: ReadonlySet<string> = new Set([
  ...["create", "rotate", "revoke"].map((name) => `keys.${name}`),
  ...["create", "join", "update", "activate", "leave", "createInvite", "listInvites", "revokeInvite", "updateMember", "removeMember"]
    .map((name) => `workspaces.${name}`),
  "me.update",
  ...["list", "connect", "update", "disconnect", "deliveries", "identities", "mapIdentity", "unmapIdentity", "revealVerificationToken"]
    .map((name) => `integrations.${name}`),
  ...["list", "create", "get", "update", "delete", "rotateSecret", "test", "deliveries", "retry"].map((name) => `webhooks.${name}`),
  ...["subscribe", "unsubscribe", "samples"].map((name) => `zapier.${name}`)
])

const scopeNeeded = (ep: Endpoint): KeyScope => fullScope.has(ep.id) ? "full" : ep.method === "GET" ? "read" : "write"

const isObjectEndpoint = (ep: Endpoint) => ep.pathParams.some((param) => literals[param] === undefined)

layer(ProofServer, { timeout: 300_000 })("isolation and scope matrices generated from the contract", (it) => {
  it.scoped("an outsider gets exactly the 404 of an unknown id on every endpoint and tool that takes an object id", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice, bob } = yield* makeWorld(base, signUp())
      const covered: Array<string> = []
      const mixedPairs: Array<string> = []
      for (const ep of endpoints.filter(isObjectEndpoint)) {
        const body = bodyFor(ep, alice)
        const foreign = yield* call(base, ep.method, pathFor(ep, alice), { key: bob.full, body })
        const at = `${ep.id}: ${foreign.status} ${JSON.stringify(foreign.body)}`
        expect(foreign.status, at).toBe(404)
        expect(typeof foreign.body.code, at).toBe("string")
        // and nothing in the answer tells it from an id that does not exist
        const missing = yield* call(base, ep.method, pathFor(ep, unknownHoldings(alice)), { key: bob.full, body })
        expect(missing.status, ep.id).toBe(404)
        expect(foreign.body.code, ep.id).toBe(missing.body.code)
        covered.push(ep.id)
        // with several ids (a webhook's delivery, a workspace's invite or member): each in turn foreign, and the
        // others the caller's own real objects, so that only the pairing is wrong
        if (objectParams(ep).length < 2) continue
        for (const param of objectParams(ep)) {
          const own = bodyFor(ep, bob)
          const mixed = yield* call(base, ep.method, pathWith(ep, (p) => p === param ? alice : bob), { key: bob.full, body: own })
          const none = yield* call(base, ep.method, pathWith(ep, (p) => p === param ? unknownHoldings(alice) : bob), { key: bob.full, body: own })
          const where = `${ep.id} with :${param} foreign: ${mixed.status} ${JSON.stringify(mixed.body)}`
          expect(mixed.status, where).toBe(404)
          expect(none.status, where).toBe(404)
          expect(mixed.body.code, where).toBe(none.body.code)
          mixedPairs.push(`${ep.id}:${param}`)
        }
      }
      expect(covered.length).toBeGreaterThan(20)
      // a real delivery of another owner's webhook, invite and member were among them
      expect(mixedPairs).toEqual(expect.arrayContaining(["webhooks.retry:deliveryId", "workspaces.revokeInvite:inviteId", "workspaces.removeMember:userId"]))

      // MCP: every tool whose endpoint takes an object id, with alice's ids, through bob's client
      const client = yield* connectMcp(base, bob.full)
      const tools: Array<string> = []
      for (
        const ep of endpoints.filter((ep) =>
          ep.tool !== undefined && ep.pathParams.some((param) => literals[param] === undefined && param !== ep.tool!.activeWorkspace)
        )
      ) {
        const spec = ep.tool!
        const args: Record<string, unknown> = {}
        for (const param of ep.pathParams.filter((param) => param !== spec.activeWorkspace)) {
          const kind = idKinds[ep.group]![param]!
          args[spec.rename?.[param] ?? param] = alice[kind as keyof Holdings]
        }
        const result = yield* Effect.promise(() => client.callTool({ name: spec.name, arguments: args }) as Promise<CallToolResult>)
        const data = result.content.flatMap((block) => block.type === "text" ? [block.text] : [])[1]
        expect(result.isError, `${spec.name}: ${JSON.stringify(result)}`).toBe(true)
        expect(JSON.parse(data!).error.code, spec.name).toMatch(/_not_found$/)
        tools.push(spec.name)
      }
      expect(tools.length).toBeGreaterThan(0)
    }))

  it.scoped("a member of a shared workspace never sees a 404 or 5xx there, and is refused (403) where the owner's role is needed", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice, carol } = yield* makeWorld(base, signUp())
      const outcomes: Record<string, number> = {}
      // money on a shared project is the owner's too (a write key, the member's own workspace header)
      const rate = yield* call(base, "PATCH", `/api/projects/${alice.sharedProject}`, {
        key: carol.write,
        body: { hourlyRate: 1 },
        headers: { "x-clockme-workspace": alice.shared }
      })
      expect(rate.status).toBe(403)
      // every endpoint that acts on a workspace by its id, as the member, with the owner's objects there
      const onWorkspace = endpoints.filter((ep) => ep.group === "workspaces" && ep.pathParams.includes("id"))
      expect(onWorkspace.length).toBeGreaterThan(10)
      // leave last: it ends the membership
      const ordered = [...onWorkspace.filter((ep) => ep.name !== "leave"), ...onWorkspace.filter((ep) => ep.name === "leave")]
      for (const ep of ordered) {
        const target = { ...alice, userId: alice.userId }
        const reply = yield* call(base, ep.method, pathFor(ep, target), { key: carol.full, body: bodyFor(ep, alice) })
        const at = `${ep.id}: ${reply.status} ${JSON.stringify(reply.body)}`
        expect(reply.status, at).not.toBe(404)
        expect(reply.status, at).toBeLessThan(500)
        if (reply.status === 403) expect(reply.body.code, at).toBe("forbidden")
        outcomes[ep.id] = reply.status
      }
      // exactly the endpoints declared owner-only (RequiredRole) are refused: settings, invites, roles and members
      for (const ep of ordered) expect(outcomes[ep.id] === 403, ep.id).toBe(ep.owner)
      for (const name of ["update", "createInvite", "listInvites", "revokeInvite", "updateMember", "removeMember"]) {
        expect(outcomes[`workspaces.${name}`], name).toBe(403)
      }
    }))

  it.scoped("scopes: each key is refused exactly where the stated scope table says, and only there; read-only tools work with a read key", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice } = yield* makeWorld(base, signUp())
      const rank: Record<KeyScope, number> = { read: 0, write: 1, full: 2 }
      // every answer as "<endpoint> <key>: <scope required, or ok>", seen and as the table says
      const seen: Array<string> = []
      const expected: Array<string> = []
      for (const ep of endpoints.filter((ep) => ep.authenticated)) {
        const path = pathFor(ep, alice)
        const body = bodyFor(ep, alice)
        const needs = scopeNeeded(ep)
        // the contract's annotation (RequiredScope, which the table of operations checks) says what the table says
        expect(ep.scope, ep.id).toBe(needs)
        for (const scope of ["read", "write", "full"] as const) {
          const reply = yield* call(base, ep.method, path, { key: alice[scope], body })
          const at = `${ep.id} with a ${scope} key: ${reply.status} ${JSON.stringify(reply.body)}`
          expect(reply.status, at).toBeLessThan(500)
          const refused = reply.status === 403 && reply.body?.code === "insufficient_scope"
          if (refused) expect(reply.body.scope, at).toBe(scope)
          // any other answer is about the request or the object, never the key's scope
          else expect(reply.body?.code, at).not.toBe("insufficient_scope")
          seen.push(`${ep.id} ${scope}: ${refused ? `needs ${reply.body.required}` : "ok"}`)
          expected.push(`${ep.id} ${scope}: ${rank[scope] < rank[needs] ? `needs ${needs}` : "ok"}`)
        }
      }
      expect(seen).toEqual(expected)
      // the table names only endpoints that exist
      for (const id of fullScope) expect(endpoints.map((ep) => ep.id), id).toContain(id)

      // MCP: a read key gets insufficient_scope from exactly the tools that do not declare readOnly, and every
      // read-only tool answers it (a call that throws or fails is no answer); the REST round above switched
      // to the shared workspace, so back to the one the objects are in
      expect((yield* call(base, "POST", `/api/workspaces/${alice.personal}/activate`, { key: alice.full })).status).toBe(200)
      const client = yield* connectMcp(base, alice.read)
      const { tools } = yield* Effect.promise(() => client.listTools())
      for (const tool of tools) {
        const ep = endpoints.find((ep) => ep.tool?.name === tool.name)!
        const args: Record<string, unknown> = {}
        for (const param of ep.pathParams.filter((param) => param !== ep.tool!.activeWorkspace)) {
          const kind = idKinds[ep.group]![param]!
          args[ep.tool!.rename?.[param] ?? param] = alice[kind as keyof Holdings]
        }
        const required = (tool.inputSchema.required ?? []) as Array<string>
        for (const name of required) args[name] ??= plausible(alice, name, "x", true)
        const answer = yield* Effect.promise(() =>
          client.callTool({ name: tool.name, arguments: args }).then(
            (result) => result as CallToolResult,
            (error: unknown) => expect.fail(`${tool.name} threw: ${String(error)}`)
          )
        )
        const data = answer.content.flatMap((block) => block.type === "text" ? [block.text] : [])[1]
        const code = answer.isError === true && data !== undefined ? JSON.parse(data).error?.code : undefined
        const readOnly = tool.annotations?.readOnlyHint === true
        expect({ tool: tool.name, refused: code === "insufficient_scope", failed: answer.isError === true }, JSON.stringify(answer).slice(0, 600)).toEqual({
          tool: tool.name,
          refused: !readOnly,
          failed: !readOnly
        })
      }
    }))
})
