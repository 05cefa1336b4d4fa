import { HttpServerResponse } from "@effect/platform"
import { CsvDocument } from "@clockme/domain/contract/Csv"

/** Sends a CSV document as a download; any other result goes through the endpoint's JSON encoding. */
export const csvOrJson = <A>(result: A | CsvDocument): A | HttpServerResponse.HttpServerResponse =>
  result instanceof CsvDocument
    ? HttpServerResponse.text(result.content, {
      contentType: "text/csv; charset=utf-8",
      headers: { "content-disposition": `attachment; filename="${result.filename}"` }
    })
    : result
