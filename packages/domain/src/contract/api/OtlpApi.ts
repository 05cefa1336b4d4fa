import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { InsufficientScope } from "../Actor.js"
import { alsoAnswersProtobuf, InvalidExport, OtlpLogsProtobuf, OtlpLogsRequest, OtlpLogsResponse } from "../Usage.js"
import { Authentication } from "./Authentication.js"

export class OtlpApi extends HttpApiGroup.make("otlp")
  .add(
    HttpApiEndpoint.post("logs", "/otlp/v1/logs")
      // JSON first, so a bad JSON export is told what its fields lack; bytes never have resourceLogs
      .setPayload(Schema.Union(OtlpLogsRequest, OtlpLogsProtobuf))
      .addSuccess(OtlpLogsResponse)
      .addError(InvalidExport)
      .annotate(
        OpenApi.Description,
        "OTLP/HTTP logs receiver for Claude Code's OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT=<server>/api/otlp, " +
          "http/json or http/protobuf), with an API key of write scope in OTEL_EXPORTER_OTLP_HEADERS. Each " +
          "claude_code.api_request event is stored once (by request_id, else by everything it says) and attached by " +
          "session.id to the timer of that session, or to the entry it ended in up to 24 hours before; usage of a " +
          "session no timer has yet waits up to 24 hours for one. Other events are accepted and ignored. Records " +
          "that cannot be read are named in partialSuccess; the rest are stored. A protobuf export is answered in protobuf."
      )
      .annotate(OpenApi.Transform, alsoAnswersProtobuf)
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "OpenTelemetry")
{}
