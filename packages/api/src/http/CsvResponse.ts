import type { CsvDocument, ReportFormat } from "@clockme/domain/contract/Csv"
import { wantsCsv } from "@clockme/domain/contract/Csv"
import { HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/** Sends a CSV document as a download. */
const csvResponse = (document: CsvDocument) =>
  HttpServerResponse.text(document.content, {
    contentType: "text/csv; charset=utf-8",
    headers: { "content-disposition": `attachment; filename="${document.filename}"` }
  })

interface Negotiable {
  readonly urlParams: { readonly format?: ReportFormat | undefined }
  readonly headers: { readonly accept?: string | undefined }
}

/**
 * Content negotiation of the JSON endpoints that also answer CSV (`format=csv` or `Accept: text/csv`):
 * the operation returns data, and this edge renders it when CSV is asked for.
 */
export const negotiated = <A>(render: (data: A) => CsvDocument) =>
<R extends Negotiable, E, X>(operation: (request: R) => Effect.Effect<A, E, X>) =>
(request: R) =>
  Effect.map(
    operation(request),
    (data) => wantsCsv(request.urlParams.format, request.headers.accept) ? csvResponse(render(data)) : data
  )
