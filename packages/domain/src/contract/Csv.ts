import { HttpApiSchema } from "@effect/platform"
import type { OpenApi } from "@effect/platform"
import { Schema } from "effect"

export const ReportFormat = Schema.Literal("json", "csv").annotations({
  description: "json (default) or csv; `Accept: text/csv` also selects CSV"
})
export type ReportFormat = typeof ReportFormat.Type

/** A rendered CSV file and the name to download it as. */
export class CsvDocument extends Schema.TaggedClass<CsvDocument>()("CsvDocument", {
  filename: Schema.String,
  content: Schema.String
}) {}

/** CSV when `format=csv`, or when no format is given and the client accepts text/csv. */
export const wantsCsv = (format: ReportFormat | undefined, accept: string | undefined): boolean =>
  format === undefined ? /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept ?? "") : format === "csv"

export type Cell = string | number | null

// A text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe.
const neutralise = (text: string) => /^[=+\-@\t\r]/.test(text) ? `'${text}` : text

const cell = (value: Cell): string => {
  if (value === null) return ""
  const text = typeof value === "number" ? String(value) : neutralise(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

/**
 * RFC 4180: a header row, CRLF line ends, fields with commas, quotes or line breaks quoted and quotes
 * doubled. A UTF-8 byte order mark makes Excel read non-ASCII names correctly.
 */
export const toCsv = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string =>
  "\uFEFF" + [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n"

/** A number with exactly `decimals` places, as a spreadsheet should show money. */
export const fixed = (value: number, decimals: number): string => value.toFixed(decimals)

const bom = "\uFEFF"

/**
 * A CSV document as a response body (`text/csv`). Decoding restores the byte order mark that a text
 * decoder drops, so a file written from it still opens in Excel with the right characters.
 */
export const CsvText = Schema.transform(Schema.String, Schema.String, {
  strict: true,
  decode: (text) => text.startsWith(bom) ? text : bom + text,
  encode: (text) => text
}).pipe(
  HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/csv; charset=utf-8" }),
  Schema.annotations({ description: "RFC 4180 CSV with a header row, a total row and a UTF-8 byte order mark" })
)

/**
 * An endpoint's OpenAPI operation with the CSV it also answers (`format=csv` or `Accept: text/csv`) declared
 * beside its JSON, for `.annotate(OpenApi.Transform, alsoAnswersCsv)`.
 */
export const alsoAnswersCsv = (operation: Record<string, any>): Record<string, any> => {
  const ok = operation.responses?.["200"] as OpenApi.OpenApiSpecResponse | undefined
  if (ok === undefined) return operation
  return {
    ...operation,
    responses: {
      ...operation.responses,
      "200": { ...ok, content: { ...ok.content, "text/csv; charset=utf-8": { schema: { type: "string" } } } }
    }
  }
}
