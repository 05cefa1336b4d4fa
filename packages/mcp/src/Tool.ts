import type { CurrentActor } from "@clockme/domain/contract/Actor"
import { Data, Effect, ParseResult, Schema } from "effect"
import type { ParseOptions } from "effect/SchemaAST"
import type { Json, JsonObject } from "./JsonSchema.js"
import { objectSchemaOf } from "./JsonSchema.js"
import { strictParse } from "@clockme/domain/contract/Strict"
import { clip, MAX_ISSUES } from "@clockme/domain/contract/Refusals"

/** All four hints, always explicit: the MCP defaults (destructive, open-world) are wrong for most of ours. */
export interface Hints {
  readonly readOnlyHint: boolean
  readonly destructiveHint: boolean
  readonly idempotentHint: boolean
  readonly openWorldHint: boolean
}

export const readOnly: Hints = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }

/** What every domain failure that crosses a boundary carries (a `Schema.TaggedError` with a code). */
export interface DomainError {
  readonly _tag: string
  readonly code: string
  readonly message: string
}

/** The arguments do not match the tool's input schema: a protocol error (-32602), not a tool result. */
export class MalformedArguments extends Data.TaggedError("MalformedArguments")<{
  readonly tool: string
  readonly message: string
}> {}

export type Outcome =
  | { readonly _tag: "Success"; readonly structured: JsonObject }
  | { readonly _tag: "Failure"; readonly error: DomainError }

/** The tool as `tools/list` shows it. */
export interface ToolDefinition {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly inputSchema: JsonObject
  readonly outputSchema: JsonObject
  readonly annotations: Hints & { readonly title: string }
}

export interface Tool {
  readonly definition: ToolDefinition
  readonly call: (args: unknown) => Effect.Effect<Outcome, MalformedArguments, CurrentActor>
}

export interface ToolSpec<A, I, O, OI, E extends DomainError> {
  readonly name: string
  readonly title: string
  readonly description: string
  /** Derived from the domain's payload schema (pick/omit), so REST and MCP validate the same way. */
  readonly input: Schema.Schema<A, I>
  /** One actionable description per parameter: format, unit, what happens when it is omitted. */
  readonly params: { readonly [K in keyof I]-?: string }
  readonly output: Schema.Schema<O, OI>
  readonly hints: Hints
  /** One domain service call. */
  readonly run: (input: A) => Effect.Effect<O, E, CurrentActor>
}

/**
 * One line per bad argument (an optional field's union would otherwise report each branch), the first
 * MAX_ISSUES of them, each clipped, and how many more there are.
 */
const describeIssues = (error: ParseResult.ParseError) => {
  const byPath = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.length > 0 ? issue.path.join(".") : "arguments"
    if (!byPath.has(path)) byPath.set(path, issue.message)
  }
  const lines = [...byPath].slice(0, MAX_ISSUES).map(([path, message]) => `${clip(path)}: ${clip(message)}`)
  const more = byPath.size - lines.length
  return lines.join("; ") + (more > 0 ? ` (and ${more} more)` : "")
}

const describeParams = (schema: JsonObject, params: Record<string, string>, name: string): JsonObject => {
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>
  const names = Object.keys(properties)
  const described = Object.keys(params)
  if (names.length !== described.length || names.some((key) => params[key] === undefined)) {
    throw new Error(`${name}: parameters ${names.join(", ")} vs descriptions ${described.join(", ")}`)
  }
  return {
    ...schema,
    properties: Object.fromEntries(names.map((key) => [key, { ...properties[key], description: params[key]! } as Json]))
  }
}

const decodeNothing = <A, I>(schema: Schema.Schema<A, I>) => (args: unknown, options: ParseOptions) =>
  typeof args === "object" && args !== null && Object.keys(args).length > 0
    ? Effect.fail(
      new ParseResult.ParseError({
        issue: new ParseResult.Type(schema.ast, args, `takes no arguments; got ${Object.keys(args).join(", ")}`)
      })
    )
    : Schema.decodeUnknown(schema)(args, options)

const emptyInput: JsonObject = { type: "object", properties: {}, additionalProperties: false }

export const make = <A, I, O, OI, E extends DomainError>(spec: ToolSpec<A, I, O, OI, E>): Tool => {
  const params = spec.params as Record<string, string>
  const inputSchema = Object.keys(params).length === 0
    ? emptyInput
    : describeParams(objectSchemaOf(spec.input), params, spec.name)
  // An empty Struct accepts any object, so a tool without parameters checks for stray ones itself.
  const decode = Object.keys(params).length === 0 ? decodeNothing(spec.input) : Schema.decodeUnknown(spec.input)
  const encode = Schema.encode(spec.output)
  return {
    definition: {
      name: spec.name,
      title: spec.title,
      description: spec.description,
      inputSchema,
      outputSchema: objectSchemaOf(spec.output),
      annotations: { title: spec.title, ...spec.hints }
    },
    call: (args) =>
      decode(args ?? {}, strictParse).pipe(
        Effect.mapError((error) =>
          new MalformedArguments({ tool: spec.name, message: `Invalid arguments for ${spec.name}: ${describeIssues(error)}` })
        ),
        Effect.flatMap((input) =>
          spec.run(input).pipe(
            Effect.flatMap((value) => Effect.orDie(encode(value))),
            Effect.map((structured): Outcome => ({ _tag: "Success", structured: structured as JsonObject })),
            Effect.catchAll((error) => Effect.succeed<Outcome>({ _tag: "Failure", error }))
          )
        ),
        Effect.withSpan(`mcp.${spec.name}`)
      )
  }
}
