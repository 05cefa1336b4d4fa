import type { OtlpLogsResponse } from "@clockme/domain/contract/Usage"
import { InvalidExport, OtlpLogsRequest } from "@clockme/domain/contract/Usage"
import { HttpServerResponse } from "@effect/platform"
// protobufjs code that OpenTelemetry generated from the published opentelemetry-proto files (the last release
// of @opentelemetry/otlp-transformer that ships it for logs)
import generated from "@opentelemetry/otlp-transformer/build/src/generated/root.js"
import { Effect, Schema } from "effect"
import protobuf from "protobufjs"

/** A message type of the generated code, as far as it is used here. */
interface MessageType {
  decode(bytes: Uint8Array): object
  toObject(message: object, options: protobuf.IConversionOptions): Record<string, unknown>
  fromObject(object: Record<string, unknown>): object
  encode(message: object): { finish(): Uint8Array }
}

/** The generated root, typed as far as it is read: the module declares it as a bare protobufjs namespace. */
interface GeneratedRoot {
  readonly opentelemetry: {
    readonly proto: {
      readonly collector: {
        readonly logs: {
          readonly v1: { readonly ExportLogsServiceRequest: MessageType; readonly ExportLogsServiceResponse: MessageType }
        }
      }
    }
  }
}

const logsService = (generated as unknown as GeneratedRoot).opentelemetry.proto.collector.logs.v1
const ExportRequest: MessageType = logsService.ExportLogsServiceRequest
const ExportResponse: MessageType = logsService.ExportLogsServiceResponse

/**
 * `google.rpc.Status` (googleapis google/rpc/status.proto), which OTLP/HTTP answers a failed protobuf export
 * with. Its `details` (field 3, repeated Any) is never sent, so it is left out of the type.
 */
const Status = new protobuf.Type("Status")
  .add(new protobuf.Field("code", 1, "int32"))
  .add(new protobuf.Field("message", 2, "string"))
new protobuf.Root().define("google.rpc").add(Status)

/** The gRPC code nearest each HTTP status, as OTLP suggests (receivers may omit it; exporters only log it). */
const GRPC_CODES: Readonly<Record<number, number>> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 }

/** A refusal of a protobuf export, as the `google.rpc.Status` OTLP/HTTP says its body must be. */
export const statusBytes = (httpStatus: number, message: string): Uint8Array =>
  Status.encode(Status.fromObject({ code: GRPC_CODES[httpStatus] ?? 2, message })).finish()

/** A protobuf export as its JSON encoding (camelCase, 64-bit integers as strings), which the contract then decodes. */
export const decodeLogsRequest = (bytes: Uint8Array): Effect.Effect<unknown, InvalidExport> =>
  Effect.try({
    try: () =>
      ExportRequest.toObject(ExportRequest.decode(bytes), { longs: String, bytes: String, defaults: false, arrays: true }),
    catch: (error) =>
      new InvalidExport({
        message: `The body is not a protobuf ExportLogsServiceRequest: ${error instanceof Error ? error.message : String(error)}`
      })
  })

/** The answer to a protobuf export, in protobuf as OTLP/HTTP asks. */
export const protobufResponse = (response: OtlpLogsResponse) =>
  HttpServerResponse.uint8Array(
    ExportResponse.encode(ExportResponse.fromObject({
      ...(response.partialSuccess === undefined ? {} : {
        partialSuccess: {
          rejectedLogRecords: response.partialSuccess.rejectedLogRecords,
          errorMessage: response.partialSuccess.errorMessage
        }
      })
    })).finish(),
    { contentType: "application/x-protobuf" }
  )

const readExport = Schema.decodeUnknown(OtlpLogsRequest)

/**
 * The edge of POST /api/otlp/v1/logs: a protobuf export is decoded into the JSON shape the operation reads, and
 * answered in protobuf; a JSON export passes through.
 */
export const protobufExport =
  <R extends { readonly payload: OtlpLogsRequest | Uint8Array }, E, X>(
    operation: (request: R) => Effect.Effect<OtlpLogsResponse, E, X>
  ) =>
  (request: R) =>
    request.payload instanceof Uint8Array
      ? decodeLogsRequest(request.payload).pipe(
        Effect.flatMap((decoded) =>
          Effect.mapError(readExport(decoded), (error) =>
            new InvalidExport({ message: `The protobuf export does not have the expected shape: ${error.message}` }))
        ),
        Effect.flatMap((payload) => operation({ ...request, payload })),
        Effect.map(protobufResponse)
      )
      : operation(request)
