import { CurrentActor } from "@clockme/domain/contract/Actor"
import { requiredScope } from "@clockme/domain/contract/api/Access"
import type { McpToolSpec } from "@clockme/domain/contract/api/McpTool"
import { McpTool } from "@clockme/domain/contract/api/McpTool"
import type { HttpApi, HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
import { Context, Effect, Option, Schema, SchemaAST } from "effect"
import * as Tool from "./Tool.js"

/** An operation of the domain's table, seen from here: a request of decoded parts in, the endpoint's success out. */
export type AnyOperation = (request: Record<string, unknown>) => Effect.Effect<unknown, Tool.DomainError, CurrentActor>

/** Where an argument goes in the endpoint's request. */
interface Slot {
  readonly part: "path" | "urlParams" | "payload"
  readonly field: string
}

const propertiesOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.PropertySignature> =>
  SchemaAST.isTypeLiteral(ast) ? ast.propertySignatures : []

/** A body that may be absent (`NullOr(Struct)`) offers the struct's fields. */
const bodyOf = (ast: SchemaAST.AST): SchemaAST.AST =>
  SchemaAST.isUnion(ast) ? ast.types.find((member) => !SchemaAST.isLiteral(member)) ?? ast : ast

const withoutUndefined = (ast: SchemaAST.AST): SchemaAST.AST =>
  SchemaAST.isUnion(ast) ? SchemaAST.Union.make(ast.types.filter((member) => !SchemaAST.isUndefinedKeyword(member))) : ast

/** Query parameters are strings on the wire; a tool takes them as JSON values, so it gets their decoded side. */
const parts = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps) => ({
  path: Option.match(endpoint.pathSchema, { onNone: () => [], onSome: (s) => propertiesOf(s.ast) }),
  urlParams: Option.match(endpoint.urlParamsSchema, {
    onNone: () => [],
    onSome: (s) => propertiesOf(SchemaAST.typeAST(s.ast))
  }),
  payload: Option.match(endpoint.payloadSchema, { onNone: () => [], onSome: (s) => propertiesOf(bodyOf(s.ast)) })
})

/**
 * The tool's input schema: one property per declared argument, each the endpoint field's own schema (so REST
 * and MCP accept the same values with the same constraints), renamed or made required as the table says.
 */
const inputOf = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps, spec: McpToolSpec) => {
  const fields = parts(endpoint)
  const renamed = new Map(Object.entries(spec.rename ?? {}).map(([field, argument]) => [argument, field]))
  const slots = new Map<string, Slot>()
  const properties = Object.keys(spec.params).map((argument) => {
    const pathField = renamed.get(argument)
    const found = pathField !== undefined
      ? fields.path.find((p) => p.name === pathField) && { part: "path" as const, field: pathField }
      : (["path", "urlParams", "payload"] as const).map((part) => ({ part, field: argument })).find(({ field, part }) =>
        fields[part].some((p) => p.name === field)
      )
    if (!found) throw new Error(`${spec.name}: "${argument}" is no path, query or body field of ${endpoint.name}`)
    slots.set(argument, found)
    const property = fields[found.part].find((p) => p.name === found.field)!
    const required = spec.required?.includes(argument) ?? false
    return new SchemaAST.PropertySignature(
      argument,
      required ? withoutUndefined(property.type) : property.type,
      property.isOptional && !required,
      true,
      property.annotations
    )
  })
  for (const field of fields.path) {
    if (field.name !== spec.activeWorkspace && ![...slots.values()].some((slot) => slot.field === field.name)) {
      throw new Error(`${spec.name}: the path field "${String(field.name)}" of ${endpoint.name} has no argument`)
    }
  }
  return { schema: Schema.make<Record<string, unknown>, Record<string, unknown>, never>(new SchemaAST.TypeLiteral(properties, [])), slots }
}

/** The endpoint's success as a tool result: a list becomes `{ [resultKey]: [...] }`. */
const outputOf = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps, spec: McpToolSpec) => {
  const success = endpoint.successSchema.ast
  return Schema.make<unknown, unknown, never>(
    spec.resultKey === undefined
      ? success
      : new SchemaAST.TypeLiteral([new SchemaAST.PropertySignature(spec.resultKey, success, false, true)], [])
  )
}

/** One tool from an annotated endpoint: arguments split into the endpoint's request, then its operation. */
export const toolOf = (
  endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps,
  spec: McpToolSpec,
  operation: AnyOperation
): Tool.Tool => {
  const { schema, slots } = inputOf(endpoint, spec)
  // Headers (Accept, Idempotency-Key) have no arguments: MCP sends their defaults.
  const headers = Option.map(
    endpoint.headersSchema,
    (s) => Schema.decodeUnknownSync(Schema.make<Record<string, unknown>, unknown, never>(s.ast))({})
  )
  const request = (args: Record<string, unknown>, actor: Context.Tag.Service<CurrentActor>) => {
    const request: Record<string, Record<string, unknown>> = {}
    if (Option.isSome(endpoint.pathSchema)) request.path = {}
    if (Option.isSome(endpoint.urlParamsSchema)) request.urlParams = {}
    if (Option.isSome(endpoint.payloadSchema)) request.payload = {}
    if (Option.isSome(headers)) request.headers = headers.value
    if (spec.activeWorkspace !== undefined) request.path![spec.activeWorkspace] = actor.workspaceId
    for (const [argument, value] of Object.entries(args)) {
      const slot = slots.get(argument)!
      request[slot.part]![slot.field] = value
    }
    return request
  }
  const output = outputOf(endpoint, spec)
  return Tool.make({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    input: schema,
    params: spec.params,
    output,
    hints: { readOnlyHint: requiredScope(endpoint) === "read", destructiveHint: spec.destructive, idempotentHint: spec.idempotent, openWorldHint: false },
    run: (args) =>
      Effect.flatMap(CurrentActor, (actor) => operation(request(args, actor))).pipe(
        Effect.map((result) => spec.resultKey === undefined ? result : { [spec.resultKey]: result })
      )
  })
}

/**
 * Every tool the contract declares: one per endpoint annotated with `McpTool`, answered by the same
 * operation as its REST endpoint.
 */
export const toolsOf = (
  api: HttpApi.HttpApi.Any,
  operations: { readonly [group: string]: { readonly [endpoint: string]: AnyOperation } }
): ReadonlyArray<Tool.Tool> => {
  const tools: Array<Tool.Tool> = []
  for (const group of Object.values((api as unknown as HttpApi.HttpApi.AnyWithProps).groups)) {
    for (const endpoint of Object.values((group as HttpApiGroup.HttpApiGroup.AnyWithProps).endpoints)) {
      const spec = Context.getOption(endpoint.annotations, McpTool)
      if (Option.isNone(spec)) continue
      const operation = operations[group.identifier]?.[endpoint.name]
      if (operation === undefined) throw new Error(`${spec.value.name}: no operation for ${group.identifier}.${endpoint.name}`)
      tools.push(toolOf(endpoint, spec.value, operation))
    }
  }
  return tools
}
