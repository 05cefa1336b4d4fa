import { Api } from "@clockme/domain/contract/api/Api"
import { Reports } from "@clockme/domain/services/Reports"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { csvOrJson } from "./CsvResponse.js"

export const ReportsHttp = HttpApiBuilder.group(Api, "reports", (handlers) =>
  Effect.map(Reports, (reports) =>
    handlers.handle("billing", ({ headers, urlParams }) =>
      reports.billing(urlParams, headers.accept).pipe(Effect.map(csvOrJson)))))
