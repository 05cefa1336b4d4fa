import { JSONSchema } from "effect"
import type { Schema } from "effect"

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
export type JsonObject = { readonly [key: string]: Json }

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Effect's generic wording, replaced by what a model can act on. */
const plainer: Record<string, string> = {
  "a string to be decoded into a DateTime.Utc": "An instant in ISO 8601, UTC (e.g. 2026-06-01T09:00:00.000Z)",
  "a Universally Unique Identifier": "A UUID"
}

/** Keys whose value is a schema, a list of schemas, or a map of schemas. */
const schemaKeys = new Set(["items", "additionalProperties", "not", "if", "then", "else"])
const schemaListKeys = new Set(["anyOf", "oneOf", "allOf", "prefixItems"])
const schemaMapKeys = new Set(["properties", "patternProperties"])

/**
 * Inlines every `$ref` (our schemas are not recursive) and drops `$schema`, `$defs` and Effect's
 * generated titles, so that clients that do not resolve references (several MCP hosts) see the whole shape.
 */
const inline = (node: Json, defs: JsonObject): Json => {
  if (!isObject(node)) return node
  const { $ref, ...rest } = node
  if (typeof $ref === "string") {
    const name = decodeURIComponent($ref.replace(/^#\/\$defs\//, ""))
    const target = defs[name]
    if (target === undefined) throw new Error(`Unresolvable $ref ${$ref}`)
    const resolved = inline(target, defs)
    return isObject(resolved) ? { ...resolved, ...inlineFields(rest, defs) } : resolved
  }
  return inlineFields(rest, defs)
}

const inlineFields = (node: JsonObject, defs: JsonObject): JsonObject => {
  const out: Record<string, Json> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "$defs" || key === "$id" || key === "title") continue
    if (key === "description" && typeof value === "string") out[key] = plainer[value] ?? value
    else if (schemaKeys.has(key)) out[key] = inline(value, defs)
    else if (schemaListKeys.has(key) && Array.isArray(value)) out[key] = value.map((item: Json) => inline(item, defs))
    else if (schemaMapKeys.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, inline(schema, defs)]))
    } else out[key] = value
  }
  return out
}

/** The JSON Schema of a schema's encoded side (what goes over the wire), self-contained. */
export const jsonSchemaOf = (schema: Schema.Schema.Any): JsonObject => {
  const raw = JSONSchema.make(schema) as unknown as JsonObject
  const defs = isObject(raw.$defs) ? raw.$defs : {}
  const inlined = inline(raw, defs)
  if (!isObject(inlined)) throw new Error("A tool schema must describe an object")
  return inlined
}

/** MCP wants `type: "object"` at the top of input and output schemas; a union of objects gets it added. */
export const objectSchemaOf = (schema: Schema.Schema.Any): JsonObject => {
  const json = jsonSchemaOf(schema)
  if (json.type === "object") return json
  const branches = json.anyOf
  if (Array.isArray(branches) && branches.every((branch: Json) => isObject(branch) && branch.type === "object")) {
    return { type: "object", ...json }
  }
  throw new Error("A tool schema must describe an object or a union of objects")
}
