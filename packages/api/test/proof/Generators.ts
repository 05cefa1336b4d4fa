import { Arbitrary, FastCheck, Schema, SchemaAST } from "effect"
import * as fc from "fast-check"

/** The seed of every generated run: `PROOF_SEED=… npx vitest run packages/api/test/proof` replays one. */
export const SEED = Number(process.env.PROOF_SEED ?? 20261202)

/** A stable per-name seed, so adding an endpoint or tool does not change what the others get. */
export const seedFor = (name: string) => {
  let hash = SEED | 0
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0
  return hash
}

/** Field names an object schema declares (through unions, refinements and transformations). */
export const fieldsOf = (ast: SchemaAST.AST, seen = new Set<SchemaAST.AST>()): ReadonlyArray<string> => {
  if (seen.has(ast)) return []
  seen.add(ast)
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures.map((p) => String(p.name))
    case "Union":
      return [...new Set(ast.types.flatMap((member) => fieldsOf(member, seen)))]
    case "Refinement":
      return fieldsOf(ast.from, seen)
    case "Transformation":
      return [...new Set([...fieldsOf(ast.from, seen), ...fieldsOf(ast.to, seen)])]
    default:
      return []
  }
}

/**
 * Encoded values in the shape of a schema, from effect's `Arbitrary` (seeded): the starting points that the
 * mutations below turn invalid. Generated from the encoded side without refinements, so the structure,
 * literals and required fields are right while custom checks (a URL, a timezone) may not hold: rejection
 * sampling of those would never end.
 */
export const validSamples = (schema: Schema.Schema.Any, seed: number, count = 12): ReadonlyArray<unknown> => {
  try {
    const encoded = Schema.make<unknown, unknown, never>(SchemaAST.encodedAST(schema.ast))
    return FastCheck.sample(Arbitrary.make(encoded), { seed, numRuns: count })
  } catch {
    return []
  }
}

/** Strings that have broken servers: impossible dates, NUL, lone surrogates, huge, SQL and formula text. */
export const weirdString = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "2026-02-30T00:00:00Z",
  "2026-06-10T25:61:00Z",
  "9999-12-31T23:59:59Z",
  "+275760-09-13T00:00:00.000Z",
  "0001-01-01",
  "1970-01-01",
  "2026-13-01",
  "-1",
  "NaN",
  "Infinity",
  "1e400",
  "0x10",
  "US/Pacific-New",
  "x".repeat(5000),
  "'; DROP TABLE entries;--",
  "=HYPERLINK(\"http://x\")",
  "../../etc/passwd",
  "%00",
  "%",
  "🕒🕒",
  "null",
  "true",
  "[]",
  "{}",
  "00000000-0000-0000-0000-000000000000",
  "ck_live_",
  "entry.created"
)

export const weirdNumber = fc.constantFrom(0, -0, -1, 1e308, -1e308, 0.001, 2 ** 53 + 1, 1e-300, 2147483648, 31_622_400)

/** Any JSON value, biased to the weird. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdString },
  { weight: 2, arbitrary: weirdNumber },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [[[]]], { a: { b: {} } }) }
)

/** Header-safe text: printable ASCII only (fetch refuses anything else). */
export const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 300 })

/** Ids: the world's own and foreign ones, unknown uuids, and malformed ones. */
export const idOf = (pool: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: weirdString },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...pool).map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom(...pool).map((id) => id.slice(0, -1)) }
  )

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {}

/**
 * A JSON object mutated from a valid one: a field set to a weird value or to an id from the pool, a field
 * dropped, an unknown field added, or the valid value itself (which may well succeed).
 */
export const mutatedObject = (
  samples: ReadonlyArray<unknown>,
  fields: ReadonlyArray<string>,
  ids: fc.Arbitrary<string>
): fc.Arbitrary<unknown> => {
  const valid = samples.length > 0 ? fc.constantFrom(...samples) : fc.constant({})
  const object = valid.map(asObject)
  const field = fields.length > 0
    ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) })
    : fc.string({ maxLength: 12 })
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(object, field, weird).map(([o, k, v]) => ({ ...o, [k]: v })) },
    { weight: 3, arbitrary: fc.tuple(object, field, ids).map(([o, k, v]) => ({ ...o, [k]: v })) },
    {
      weight: 2,
      arbitrary: fc.tuple(object, fc.nat()).map(([o, i]) => {
        const keys = Object.keys(o)
        const copy = { ...o }
        if (keys.length > 0) delete copy[keys[i % keys.length]!]
        return copy
      })
    },
    { weight: 1, arbitrary: fc.tuple(object, fc.string({ minLength: 1, maxLength: 8 })).map(([o, k]) => ({ ...o, [`x${k}`]: 1 })) },
    { weight: 2, arbitrary: valid },
    { weight: 1, arbitrary: fc.tuple(object, weird, weird).map(([o, a, b]) => ({ ...o, [fields[0] ?? "a"]: a, [fields[1] ?? "b"]: b })) }
  )
}

export type Body =
  | { readonly kind: "none" }
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "raw"; readonly text: string; readonly contentType: string | undefined }

/** Bytes that are not the JSON the endpoint wants, with a matching or a wrong content type. */
export const rawBody: fc.Arbitrary<Body> = fc.record({
  text: fc.oneof(
    fc.constantFrom(
      "{",
      "{\"a\":",
      "{\"__proto__\":{\"polluted\":true}}",
      "{\"constructor\":{\"prototype\":{\"x\":1}}}",
      "{\"name\":\"a\",\"name\":1}",
      "{\"name\":\"\\ud800\"}",
      "{\"n\":1e400}",
      "[".repeat(70) + "]".repeat(70),
      "null",
      "\"\"",
      "0",
      "{} {}",
      "\uFEFF{}",
      "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nhack\r\n--x--"
    ),
    fc.string({ maxLength: 200 })
  ),
  contentType: fc.constantFrom(
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    undefined
  )
}).map(({ contentType, text }) => ({ kind: "raw" as const, text, contentType }))
