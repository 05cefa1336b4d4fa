import { Schema } from "effect"

export const ReportFormat = Schema.Literal("json", "csv").annotations({
  description: "json (default) or csv; `Accept: text/csv` also selects CSV"
})
export type ReportFormat = typeof ReportFormat.Type

/** A CSV file a handler sends as `text/csv` with a download name. */
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
