import { expect, layer } from "@effect/vitest"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
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
  webhooks: { id: "webhook", deliveryId: "unknown" },
  zapier: { id: "zap" }
}

/** Path parameters that are no object id (a literal such as a Zapier event). */
const literals: Record<string, string> = { event: "entry.created" }

const pathFor = (ep: Endpoint, owner: Holdings) =>
  fillPath(
    ep.path,
    Object.fromEntries(ep.pathParams.map((param) => {
      if (literals[param] !== undefined) return [param, literals[param]]
      const kind = idKinds[ep.group]?.[param]
      if (kind === undefined) throw new Error(`${ep.id}: no id kind for :${param}; add it to idKinds`)
      return [param, kind === "unknown" ? crypto.randomUUID() : owner[kind]]
    }))
  )

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

const isObjectEndpoint = (ep: Endpoint) => ep.pathParams.some((param) => literals[param] === undefined)

layer(ProofServer, { timeout: 300_000 })("isolation and scope matrices generated from the contract", (it) => {
  it.scoped("an outsider gets exactly the 404 of an unknown id on every endpoint and tool that takes an object id", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice, bob } = yield* makeWorld(base, signUp())
      const covered: Array<string> = []
      for (const ep of endpoints.filter(isObjectEndpoint)) {
        const body = bodyFor(ep, alice)
        const foreign = yield* call(base, ep.method, pathFor(ep, alice), { key: bob.full, body })
        const at = `${ep.id}: ${foreign.status} ${JSON.stringify(foreign.body)}`
        expect(foreign.status, at).toBe(404)
        expect(typeof foreign.body.code, at).toBe("string")
        // and nothing in the answer tells it from an id that does not exist
        const unknown = Object.fromEntries(Object.entries(alice).map(([kind, id]) => [kind, id.startsWith("ck_") ? id : crypto.randomUUID()]))
        const missing = yield* call(base, ep.method, pathFor(ep, unknown as unknown as Holdings), { key: bob.full, body })
        expect(missing.status, ep.id).toBe(404)
        expect(foreign.body.code, ep.id).toBe(missing.body.code)
        covered.push(ep.id)
      }
      expect(covered.length).toBeGreaterThan(20)

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

  it.scoped("scopes: each key is refused exactly what its endpoint's declared scope puts above it (read keys only read)", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { alice } = yield* makeWorld(base, signUp())
      const matrix: Array<string> = []
      const needsFull = new Set<string>()
      for (const ep of endpoints.filter((ep) => ep.authenticated)) {
        const path = pathFor(ep, alice)
        const body = bodyFor(ep, alice)
        const read = yield* call(base, ep.method, path, { key: alice.read, body })
        const write = yield* call(base, ep.method, path, { key: alice.write, body })
        const full = yield* call(base, ep.method, path, { key: alice.full, body })
        const at = (reply: { status: number; body: any }) => `${ep.id}: ${reply.status} ${JSON.stringify(reply.body)}`
        const refused = (reply: { status: number; body: any }) => reply.status === 403 && reply.body?.code === "insufficient_scope"
        for (const reply of [read, write, full]) expect(reply.status, at(reply)).toBeLessThan(500)
        // each key is refused exactly where the endpoint's declared scope is above its own, naming that scope
        expect(refused(read), at(read)).toBe(ep.scope !== "read")
        expect(refused(write), at(write)).toBe(ep.scope === "full")
        expect(refused(full), at(full)).toBe(false)
        for (const reply of [read, write].filter(refused)) {
          expect(reply.body.required, at(reply)).toBe(ep.scope)
          expect(reply.body.scope, at(reply)).toBe(reply === read ? "read" : "write")
        }
        if (ep.scope === "full") needsFull.add(ep.id)
        matrix.push(ep.id)
      }
      // every endpoint behind a key was tried with all three
      expect(matrix.sort()).toEqual(endpoints.filter((ep) => ep.authenticated).map((ep) => ep.id).sort())
      // keys, workspace management, profile and integrations need full, as documented
      for (const id of ["keys.create", "keys.revoke", "workspaces.create", "workspaces.join", "workspaces.listInvites", "me.update"]) {
        expect(needsFull, id).toContain(id)
      }

      // MCP: a read key gets insufficient_scope from exactly the tools that do not declare readOnly
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
        const result = yield* Effect.promise(() => client.callTool({ name: tool.name, arguments: args }).catch((error: unknown) => error))
        const data = (result as CallToolResult).content?.flatMap((block) => block.type === "text" ? [block.text] : [])[1]
        const code = data === undefined ? undefined : JSON.parse(data).error?.code
        expect({ tool: tool.name, refused: code === "insufficient_scope" }).toEqual({
          tool: tool.name,
          refused: tool.annotations?.readOnlyHint !== true
        })
      }
    }))
})
