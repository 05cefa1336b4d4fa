import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { Actor } from "@clockme/domain/contract/Actor"
import { InvalidInput } from "@clockme/domain/contract/Errors"
import type { ApiKeyId, UserId, WorkspaceId } from "@clockme/domain/contract/Ids"
import { TimerNotRunning } from "@clockme/domain/contract/Timer"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js"
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { Effect, Schema } from "effect"
import { jsonSchemaOf } from "../src/JsonSchema.js"
import { endpointOf } from "../src/Proxy.js"
import type { Execute } from "../src/Server.js"
import { internalErrorMessage, makeServer } from "../src/Server.js"
import { bearerToken } from "../src/Session.js"
import * as Tool from "../src/Tool.js"

const actor: Actor = {
  userId: "00000000-0000-4000-8000-000000000001" as UserId,
  workspaceId: "00000000-0000-4000-8000-000000000002" as WorkspaceId,
  keyId: "00000000-0000-4000-8000-000000000003" as ApiKeyId,
  scope: "write",
  source: "mcp"
}

const Echo = Schema.Struct({ at: Schema.DateTimeUtc, minutes: Schema.optional(Schema.Number.pipe(Schema.int())) })

const tools = [
  Tool.make({
    name: "echo",
    title: "Echo",
    description: "Returns its input and the caller, encoded",
    input: Echo,
    params: { at: "An instant", minutes: "Whole minutes" },
    output: Schema.Struct({ at: Schema.DateTimeUtc, minutes: Schema.Number, source: Schema.String }),
    hints: Tool.readOnly,
    run: ({ at, minutes }) => Effect.map(CurrentActor, (caller) => ({ at, minutes: minutes ?? 0, source: caller.source }))
  }),
  Tool.make({
    name: "refuses",
    title: "Refuses",
    description: "Fails with a domain error",
    input: Schema.Struct({ which: Schema.Literal("input", "timer") }),
    params: { which: "Which failure" },
    output: Schema.Struct({ ok: Schema.Boolean }),
    hints: Tool.readOnly,
    run: ({ which }): Effect.Effect<{ ok: boolean }, InvalidInput | TimerNotRunning> =>
      which === "input"
        ? Effect.fail(new InvalidInput({ field: "which", message: "Not today" }))
        : Effect.fail(new TimerNotRunning({ message: "No timer is running" }))
  }),
  Tool.make({
    name: "crashes",
    title: "Crashes",
    description: "Dies, as a bug would",
    input: Schema.Struct({}),
    params: {},
    output: Schema.Struct({ ok: Schema.Boolean }),
    hints: Tool.readOnly,
    run: () => Effect.die(new Error("boom"))
  })
]

const execute: Execute = (effect) =>
  Effect.runPromiseExit(effect.pipe(Effect.provideService(CurrentActor, actor)))

const connected = Effect.acquireRelease(
  Effect.promise(async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    const server = makeServer(tools, execute)
    await server.connect(serverSide)
    const client = new Client({ name: "unit", version: "1.0.0" })
    await client.connect(clientSide)
    await client.listTools()
    return client
  }),
  (client) => Effect.promise(() => client.close())
)

const callTool = (client: Client, name: string, args: Record<string, unknown>) =>
  Effect.promise(() =>
    client.callTool({ name, arguments: args }).then(
      (result) => ({ result: result as CallToolResult, error: undefined }),
      (error: { code: number; message: string }) => ({ result: undefined, error })
    )
  )

describe("MCP server", () => {
  it.scoped("a success is structuredContent (the encoded output) and the same JSON as text", () =>
    Effect.gen(function*() {
      const client = yield* connected
      const { result } = yield* callTool(client, "echo", { at: "2026-06-01T09:00:00+02:00", minutes: 5 })
      expect(result?.structuredContent).toEqual({ at: "2026-06-01T07:00:00.000Z", minutes: 5, source: "mcp" })
      expect(result?.content).toEqual([{ type: "text", text: JSON.stringify(result?.structuredContent) }])
      expect(result?.isError).toBeUndefined()
    }))

  it.scoped("a domain failure is an isError result with the next step and the error's data", () =>
    Effect.gen(function*() {
      const client = yield* connected
      const { result } = yield* callTool(client, "refuses", { which: "timer" })
      expect(result?.isError).toBe(true)
      expect(result?.structuredContent).toBeUndefined()
      const [text, data] = (result?.content ?? []).map((block) => block.type === "text" ? block.text : "")
      expect(text).toBe(
        "No timer is running\n\nNext step: Call clockme_status to see your running and paused timers, or " +
          "clockme_start_timer to start one."
      )
      expect(JSON.parse(data!)).toEqual({
        error: { _tag: "TimerNotRunning", code: "timer_not_running", message: "No timer is running" }
      })
      const input = yield* callTool(client, "refuses", { which: "input" })
      expect(input.result?.content[0]).toMatchObject({ text: "Not today\n\nNext step: Correct the which argument and call again." })
    }))

  it.scoped("malformed arguments are -32602 naming each bad argument once; a defect is -32603 and the server goes on", () =>
    Effect.gen(function*() {
      const client = yield* connected
      const malformed = yield* callTool(client, "echo", { at: "soon", minutes: 1.5, extra: 1 })
      expect(malformed.error?.code).toBe(-32602)
      expect(malformed.error?.message).toMatch(/^MCP error -32602: Invalid arguments for echo: /)
      for (const field of ["at:", "minutes:", "extra:"]) {
        expect(malformed.error?.message.split(field)).toHaveLength(2)
      }
      const stray = yield* callTool(client, "crashes", { x: 1 })
      expect(stray.error?.message).toContain("takes no arguments; got x")

      const crashed = yield* callTool(client, "crashes", {})
      expect(crashed.error).toMatchObject({ code: -32603, message: `MCP error -32603: ${internalErrorMessage}` })
      const after = yield* callTool(client, "echo", { at: "2026-06-01T09:00:00Z" })
      expect(after.result?.structuredContent).toMatchObject({ minutes: 0 })
    }))

  it.effect("one server answers request after request over fresh transports, each as the caller it brings", () =>
    Effect.promise(async () => {
      const seen: Array<string | undefined> = []
      // The caller comes with each request; the server built once keeps none of it.
      const asCaller: Execute = (effect, caller) => {
        seen.push(caller?.clientId)
        const source = caller?.extra?.source as Actor["source"] | undefined
        return Effect.runPromiseExit(effect.pipe(Effect.provideService(CurrentActor, { ...actor, source: source ?? "api" })))
      }
      const server = makeServer(tools, asCaller)
      const call = async (caller: AuthInfo | undefined) => {
        const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
        await server.connect(transport)
        const request = new Request("http://localhost/api/mcp", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }
        })
        const parsedBody = {
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "echo", arguments: { at: "2026-06-01T09:00:00Z" } }
        }
        const answered = await transport.handleRequest(request, { parsedBody, ...(caller === undefined ? {} : { authInfo: caller }) })
        await server.close()
        return (await answered.json()).result.structuredContent.source
      }
      const sources = [
        await call({ token: "", clientId: "first", scopes: ["write"], extra: { source: "hook" } }),
        await call({ token: "", clientId: "second", scopes: ["write"], extra: { source: "web" } }),
        await call(undefined)
      ]
      expect(sources).toEqual(["hook", "web", "api"])
      expect(seen).toEqual(["first", "second", undefined])
    }))

  it("schemas are self-contained: references inlined, Effect's wording replaced, titles dropped", () => {
    const Id = Schema.UUID.annotations({ identifier: "Id" })
    const schema = jsonSchemaOf(Schema.Struct({ id: Id, ids: Schema.Array(Id), at: Schema.NullOr(Schema.DateTimeUtc) }))
    expect(JSON.stringify(schema)).not.toMatch(/\$ref|\$defs|\$schema|"title"/)
    expect(schema.properties).toMatchObject({
      id: { type: "string", format: "uuid", description: "A UUID" },
      ids: { type: "array", items: { type: "string", format: "uuid" } },
      at: { anyOf: [{ type: "string", description: expect.stringContaining("ISO 8601") }, { type: "null" }] }
    })
  })

  it("the stdio proxy finds the endpoint from a base URL, and the bearer token is read like REST reads it", () => {
    expect(endpointOf("http://127.0.0.1:8787").href).toBe("http://127.0.0.1:8787/api/mcp")
    expect(endpointOf("https://clockme.example/").href).toBe("https://clockme.example/api/mcp")
    expect(endpointOf("https://clockme.example/tracker").href).toBe("https://clockme.example/tracker/api/mcp")
    expect(endpointOf("https://clockme.example/api/mcp/").href).toBe("https://clockme.example/api/mcp/")
    expect(bearerToken("Bearer ck_live_abc")).toBe("ck_live_abc")
    expect(bearerToken("bearer   ck_live_abc  ")).toBe("ck_live_abc")
    expect(bearerToken("Basic abc")).toBe("")
    expect(bearerToken(null)).toBe("")
  })
})
