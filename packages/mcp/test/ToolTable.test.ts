import { CurrentActor } from "@clockme/domain/contract/Actor"
import type { Actor } from "@clockme/domain/contract/Actor"
import { Api } from "@clockme/domain/contract/api/Api"
import { McpTool } from "@clockme/domain/contract/api/McpTool"
import type { UserId, WorkspaceId } from "@clockme/domain/contract/Ids"
import { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Option, Schema, SchemaAST } from "effect"
import type { Json, JsonObject } from "../src/JsonSchema.js"
import { jsonSchemaOf } from "../src/JsonSchema.js"
import type { AnyOperation } from "../src/ToolTable.js"
import { toolsOf } from "../src/ToolTable.js"

const actor: Actor = {
  userId: "00000000-0000-4000-8000-000000000001" as UserId,
  workspaceId: "00000000-0000-4000-8000-000000000002" as WorkspaceId,
  keyId: null,
  scope: "write",
  source: "mcp"
}

type Table = Record<string, Record<string, AnyOperation>>

/** Every operation of a contract answers `answer` and records the request it got. */
const recording = (api: HttpApi.HttpApi.Any, answer: unknown = {}) => {
  const calls: Array<{ readonly operation: string; readonly request: unknown }> = []
  const table: Table = {}
  for (const group of Object.values((api as unknown as HttpApi.HttpApi.AnyWithProps).groups)) {
    table[group.identifier] = {}
    for (const name of Object.keys(group.endpoints)) {
      table[group.identifier]![name] = (request) =>
        Effect.sync(() => {
          calls.push({ operation: `${group.identifier}.${name}`, request })
          return answer
        })
    }
  }
  return { calls, table }
}

const annotated = Object.values(Api.groups).flatMap((group) =>
  Object.values(group.endpoints as unknown as Record<string, HttpApiEndpoint.HttpApiEndpoint.AnyWithProps>).flatMap((endpoint) =>
    Option.toArray(Option.map(Context.getOption(endpoint.annotations, McpTool), (spec) => ({ endpoint, spec })))
  )
)

const withoutDescription = (schema: Json): Json => {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema
  const { description: _, ...rest } = schema as JsonObject
  return rest
}

/** The JSON Schema of the endpoint field a tool argument stands for (queries by their decoded side). */
const fieldSchema = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps, field: string): Json => {
  const candidates = [
    Option.map(endpoint.pathSchema, (s) => s.ast),
    Option.map(endpoint.urlParamsSchema, (s) => SchemaAST.typeAST(s.ast)),
    Option.map(endpoint.payloadSchema, (s) =>
      SchemaAST.isUnion(s.ast) ? s.ast.types.find((t) => !SchemaAST.isLiteral(t))! : s.ast)
  ].flatMap(Option.toArray)
  for (const ast of candidates) {
    const property = SchemaAST.isTypeLiteral(ast) ? ast.propertySignatures.find((p) => p.name === field) : undefined
    if (property !== undefined) {
      const schema = jsonSchemaOf(Schema.Struct({ x: Schema.make(property.type) }))
      return withoutDescription((schema.properties as JsonObject).x!)
    }
  }
  throw new Error(`${endpoint.name} has no field ${field}`)
}

/** Runs a call whose stubbed answer may not fit the tool's result (only the request matters then). */
const attempt = <A>(effect: Effect.Effect<A, unknown, CurrentActor>) =>
  Effect.runPromiseExit(Effect.provideService(effect, CurrentActor, actor))

const run = <A>(effect: Effect.Effect<A, unknown, CurrentActor>) =>
  Effect.runPromise(Effect.provideService(effect, CurrentActor, actor) as Effect.Effect<A>)

describe("the table of operations", () => {
  const { table } = recording(Api)
  const tools = toolsOf(Api, table)

  it("serves exactly one tool per annotated endpoint of the contract: the 20 of the public docs", () => {
    expect(tools).toHaveLength(20)
    expect(tools.map((tool) => tool.definition.name).sort()).toEqual(annotated.map(({ spec }) => spec.name).sort())
    for (const { endpoint, spec } of annotated) {
      const tool = tools.find((t) => t.definition.name === spec.name)!
      expect(tool.definition).toMatchObject({ title: spec.title, description: spec.description })
      expect(tool.definition.annotations).toEqual({
        title: spec.title,
        readOnlyHint: endpoint.method === "GET",
        destructiveHint: spec.destructive,
        idempotentHint: spec.idempotent,
        openWorldHint: false
      })
    }
  })

  it("each argument is its endpoint field's schema with the table's description; each result its endpoint's success", () => {
    for (const { endpoint, spec } of annotated) {
      const tool = tools.find((t) => t.definition.name === spec.name)!
      const properties = (tool.definition.inputSchema.properties ?? {}) as JsonObject
      expect(Object.keys(properties), spec.name).toEqual(Object.keys(spec.params))
      const renamed = Object.fromEntries(Object.entries(spec.rename ?? {}).map(([field, argument]) => [argument, field]))
      for (const [argument, description] of Object.entries(spec.params)) {
        const property = properties[argument] as JsonObject
        expect(property.description, `${spec.name}.${argument}`).toBe(description)
        const field = fieldSchema(endpoint, renamed[argument] ?? argument)
        const declared = withoutDescription(property)
        // A query field the tool requires loses only its `undefined` branch.
        if (!spec.required?.includes(argument)) expect(declared, `${spec.name}.${argument}`).toEqual(field)
      }
      const success = jsonSchemaOf(Schema.make(endpoint.successSchema.ast))
      const output = tool.definition.outputSchema
      const wrapped = spec.resultKey === undefined ? output : (output.properties as JsonObject)[spec.resultKey]!
      const expected = success.type === "object" ? success : { type: "object", ...success }
      expect(withoutDescription(wrapped as Json), spec.name).toEqual(withoutDescription(expected))
    }
  })

  it("a call runs its endpoint's operation with the arguments in the path, query and body the endpoint declares", async () => {
    const { calls, table } = recording(Api, [])
    const byName = new Map(toolsOf(Api, table).map((tool) => [tool.definition.name, tool]))
    const entryId = "00000000-0000-4000-8000-0000000000e1"
    await attempt(byName.get("clockme_edit_entry")!.call({ entryId, description: "Review", billable: false }))
    await attempt(byName.get("clockme_get_team_summary")!.call({ from: "2026-06-01" }))
    await attempt(byName.get("clockme_list_entries")!.call({ limit: 5 }))
    const listed = await run(byName.get("clockme_list_projects")!.call({ includeArchived: true }))
    expect(calls).toEqual([
      {
        operation: "entries.update",
        request: { path: { id: entryId }, payload: { description: "Review", billable: false } }
      },
      {
        operation: "workspaces.summary",
        request: { path: { id: actor.workspaceId }, urlParams: { from: "2026-06-01" }, headers: {} }
      },
      { operation: "entries.list", request: { urlParams: { limit: 5 } } },
      { operation: "projects.list", request: { urlParams: { includeArchived: true } } }
    ])
    expect(listed).toEqual({ _tag: "Success", structured: { projects: [] } })
  })

  it("a new tool is one annotation on a new endpoint: its schema and result come from the endpoint", async () => {
    class Ping extends Schema.Class<Ping>("Ping")({ echoed: Schema.String, times: Schema.Number }) {}
    const api = HttpApi.make("test").add(
      HttpApiGroup.make("ping").add(
        HttpApiEndpoint.post("send", "/ping/:id")
          .setPath(Schema.Struct({ id: Schema.UUID }))
          .setPayload(Schema.Struct({ text: Schema.String.pipe(Schema.maxLength(10)), times: Schema.optional(Schema.Int) }))
          .addSuccess(Ping)
          .annotate(McpTool, {
            name: "clockme_ping",
            title: "Ping",
            description: "Answers with the text, as many times as asked",
            destructive: false,
            idempotent: true,
            rename: { id: "pingId" },
            params: { pingId: "Which ping", text: "What to echo", times: "How often" }
          })
      ).add(HttpApiEndpoint.get("other", "/other"))
    )
    const { calls, table } = recording(api, new Ping({ echoed: "hi", times: 2 }))
    const [tool, ...others] = toolsOf(api, table)
    expect(others).toEqual([])
    expect(tool!.definition.inputSchema).toMatchObject({
      type: "object",
      required: ["pingId", "text"],
      properties: { text: { type: "string", maxLength: 10, description: "What to echo" }, times: { type: "integer" } },
      additionalProperties: false
    })
    const pingId = "00000000-0000-4000-8000-00000000000a"
    const result = await run(tool!.call({ pingId, text: "hi", times: 2 }))
    expect(result).toEqual({ _tag: "Success", structured: { echoed: "hi", times: 2 } })
    expect(calls).toEqual([{ operation: "ping.send", request: { path: { id: pingId }, payload: { text: "hi", times: 2 } } }])
    const malformed = await Effect.runPromiseExit(
      Effect.provideService(tool!.call({ pingId, text: "far too long a text" }), CurrentActor, actor)
    )
    expect(malformed._tag).toBe("Failure")
  })

  it("an argument that is no field of its endpoint is refused when the tools are built", () => {
    const api = HttpApi.make("broken").add(
      HttpApiGroup.make("g").add(
        HttpApiEndpoint.get("e", "/e").annotate(McpTool, {
          name: "clockme_broken",
          title: "Broken",
          description: "Declares an argument its endpoint does not have",
          destructive: false,
          idempotent: true,
          params: { ghost: "Not there" }
        })
      )
    )
    expect(() => toolsOf(api, recording(api).table)).toThrow(/"ghost" is no path, query or body field/)
  })
})
