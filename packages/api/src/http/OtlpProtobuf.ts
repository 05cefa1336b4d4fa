import type { OtlpLogsResponse } from "@clockme/domain/contract/Usage"
import { InvalidExport, OtlpLogsRequest } from "@clockme/domain/contract/Usage"
import { HttpServerResponse } from "@effect/platform"
import { Effect, Schema } from "effect"
import protobuf from "protobufjs"

/**
 * The part of the OTLP protocol (opentelemetry-proto v1: common, resource, logs and the logs service) that a
 * logs export is made of, field numbers as published; protobufjs decodes and encodes with it. Fields left
 * out are skipped by the decoder as unknown fields.
 */
const OTLP_LOGS_PROTO = `
syntax = "proto3";
package opentelemetry.proto;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
`

const root = protobuf.parse(OTLP_LOGS_PROTO).root
const ExportRequest = root.lookupType("opentelemetry.proto.ExportLogsServiceRequest")
const ExportResponse = root.lookupType("opentelemetry.proto.ExportLogsServiceResponse")

/** A protobuf export as its JSON encoding (camelCase, 64-bit integers as strings), which the contract then decodes. */
export const decodeLogsRequest = (bytes: Uint8Array): Effect.Effect<unknown, InvalidExport> =>
  Effect.try({
    try: () =>
      ExportRequest.toObject(ExportRequest.decode(bytes), { longs: String, bytes: String, defaults: false, arrays: false }),
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
