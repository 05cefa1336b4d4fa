import { HttpApiSchema } from "@effect/platform"
import type { OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Text } from "./Text.js"

/** Where a record's cost came from: the client's own figure, the price table, or neither (model not in the table). */
export const CostSource = Schema.Literal("reported", "computed", "unpriced")
export type CostSource = typeof CostSource.Type

/** The four token counts of a request, as Anthropic's API bills them. */
export interface TokenCounts {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cacheReadTokens: number
  readonly cacheCreationTokens: number
}

/** The AI usage of a timer or entry: every request reported for its sessions, summed. */
export class UsageSummary extends Schema.Class<UsageSummary>("UsageSummary")({
  requests: Schema.Int.annotations({ description: "AI requests counted (each at most once)" }),
  inputTokens: Schema.Int,
  outputTokens: Schema.Int,
  cacheReadTokens: Schema.Int,
  cacheCreationTokens: Schema.Int,
  costUsd: Schema.Number.annotations({
    description: "US dollars, to six decimals: the client's reported cost, else computed from the price table; unpriced requests add nothing"
  }),
  models: Schema.Array(Schema.String).annotations({ description: "The models used, alphabetically" }),
  unpricedModels: Schema.Array(Schema.String).annotations({
    description: "Models that reported no cost and are missing from the price table: their tokens count, their cost is unknown"
  })
}) {
  static readonly empty = new UsageSummary({
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    costUsd: 0,
    models: [],
    unpricedModels: []
  })
}

const NumberOrString = Schema.Union(Schema.Number, Text)

/** An OTLP `AnyValue` (JSON encoding: 64-bit integers may come as strings); arrays and maps are not read. */
export const OtlpAnyValue = Schema.Struct({
  stringValue: Schema.optional(Text),
  boolValue: Schema.optional(Schema.Boolean),
  intValue: Schema.optional(NumberOrString),
  doubleValue: Schema.optional(NumberOrString),
  bytesValue: Schema.optional(Text)
}).annotations({ identifier: "OtlpAnyValue" })

export const OtlpKeyValue = Schema.Struct({ key: Text, value: Schema.optional(OtlpAnyValue) })
  .annotations({ identifier: "OtlpKeyValue" })

export const OtlpLogRecord = Schema.Struct({
  timeUnixNano: Schema.optional(NumberOrString),
  observedTimeUnixNano: Schema.optional(NumberOrString),
  eventName: Schema.optional(Text),
  body: Schema.optional(OtlpAnyValue),
  attributes: Schema.optional(Schema.Array(OtlpKeyValue))
}).annotations({ identifier: "OtlpLogRecord" })

/** OTLP/HTTP `ExportLogsServiceRequest` in its JSON encoding (fields ClockMe does not read are ignored). */
export const OtlpLogsRequest = Schema.Struct({
  resourceLogs: Schema.Array(Schema.Struct({
    resource: Schema.optional(Schema.Struct({ attributes: Schema.optional(Schema.Array(OtlpKeyValue)) })),
    scopeLogs: Schema.optional(Schema.Array(Schema.Struct({
      logRecords: Schema.optional(Schema.Array(OtlpLogRecord))
    })))
  }))
}).annotations({
  identifier: "OtlpLogsRequest",
  description: "An OTLP/HTTP logs export (Content-Type: application/json, or application/x-protobuf for the same message in protobuf)"
})
export type OtlpLogsRequest = typeof OtlpLogsRequest.Type

/** The same export in protobuf; the server decodes it into `OtlpLogsRequest` before reading it. */
export const OtlpLogsProtobuf = Schema.Uint8ArrayFromSelf.annotations({
  message: () => "or, as application/x-protobuf, the protobuf bytes of the same export"
}).pipe(HttpApiSchema.withEncoding({ kind: "Uint8Array", contentType: "application/x-protobuf" }))

/** OTLP/HTTP `ExportLogsServiceResponse`: `{}` when every record was taken. */
export class OtlpLogsResponse extends Schema.Class<OtlpLogsResponse>("OtlpLogsResponse")({
  partialSuccess: Schema.optional(Schema.Struct({
    rejectedLogRecords: Schema.String.annotations({ description: "How many records were rejected (an int64, as OTLP JSON writes it)" }),
    errorMessage: Schema.String.annotations({ description: "Which records were rejected and why" })
  }))
}) {}

/** An export whose records cannot be read (wrong shape, undecodable protobuf): nothing of it is stored. */
export class InvalidExport extends Schema.TaggedError<InvalidExport>()(
  "InvalidExport",
  { code: Schema.tag("invalid_export"), message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The body is not an OTLP logs export; nothing was stored" })
) {}

/**
 * The OpenAPI operation with the protobuf answers a protobuf export gets declared beside the JSON ones: the
 * ExportLogsServiceResponse, and for every refusal a `google.rpc.Status` (`code`, `message`), as OTLP/HTTP says.
 */
export const alsoAnswersProtobuf = (operation: Record<string, any>): Record<string, any> => {
  const responses = (operation.responses ?? {}) as Record<string, OpenApi.OpenApiSpecResponse>
  const binary = (description: string) => ({ schema: { type: "string", format: "binary", description } })
  return {
    ...operation,
    responses: Object.fromEntries(Object.entries(responses).map(([status, response]) => [status, {
      ...response,
      content: {
        ...response.content,
        "application/x-protobuf": status === "200"
          ? binary("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse")
          : binary("google.rpc.Status: code (the nearest gRPC code) and message, for an export sent in protobuf")
      }
    }]))
  }
}
