import { Schema } from "effect"

/** pg hands timestamptz columns over as Date; the contract's instants decode from ISO 8601 text. */
const withIsoDates = (row: unknown): unknown => {
  if (row === null || typeof row !== "object") return row
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? value.toISOString() : value
  return out
}

/** Decodes query rows into contract values: the one place where a row's shape meets the contract. */
export const decodeRows = <A, I>(schema: Schema.Schema<A, I, never>) => {
  const decode = Schema.decodeUnknown(Schema.Array(schema))
  return (rows: ReadonlyArray<unknown>) => decode(rows.map(withIsoDates))
}
