import { JsonLogsSerializer, ProtobufLogsSerializer } from "@opentelemetry/otlp-transformer"
import { resourceFromAttributes } from "@opentelemetry/resources"
import type { ReadableLogRecord } from "@opentelemetry/sdk-logs"

/**
 * Export bodies made as Claude Code makes them: its events are log records of the OpenTelemetry JS SDK, and its
 * exporter serializes them with @opentelemetry/otlp-transformer (JSON for http/json, protobuf for http/protobuf).
 * Attributes as Claude Code's monitoring docs list them; token counts as strings, as it sends many numbers.
 */
export interface ApiRequestEvent {
  readonly sessionId: string
  readonly at: number
  readonly model?: string
  readonly costUsd?: number
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly cacheReadTokens?: number
  readonly cacheCreationTokens?: number
  readonly promptId?: string
  readonly requestId?: string
  /** Another event than api_request (user_prompt, tool_result, …). */
  readonly event?: string
}

const resource = resourceFromAttributes({
  "service.name": "claude-code",
  "service.version": "2.1.230",
  "os.type": "linux",
  "host.arch": "x64"
})
const scope = { name: "com.anthropic.claude_code.events", version: "2.1.230" }

const record = (event: ApiRequestEvent): ReadableLogRecord => {
  const name = event.event ?? "api_request"
  const seconds = Math.floor(event.at / 1000)
  const hrTime: [number, number] = [seconds, (event.at - seconds * 1000) * 1_000_000]
  const attributes: Record<string, string | number> = {
    "event.name": name,
    "event.timestamp": new Date(event.at).toISOString(),
    "session.id": event.sessionId,
    "app.version": "2.1.230",
    "organization.id": "6d1f7c9a-0000-4000-8000-000000000001",
    "user.account_uuid": "6d1f7c9a-0000-4000-8000-000000000002",
    "terminal.type": "vscode",
    ...(event.promptId === undefined ? {} : { "prompt.id": event.promptId })
  }
  if (name === "api_request") {
    if (event.model !== undefined) attributes.model = event.model
    if (event.costUsd !== undefined) attributes.cost_usd = event.costUsd
    attributes.duration_ms = 2315
    attributes.input_tokens = String(event.inputTokens ?? 0)
    attributes.output_tokens = String(event.outputTokens ?? 0)
    attributes.cache_read_tokens = String(event.cacheReadTokens ?? 0)
    attributes.cache_creation_tokens = String(event.cacheCreationTokens ?? 0)
    if (event.requestId !== undefined) attributes.request_id = event.requestId
  }
  return {
    hrTime,
    hrTimeObserved: hrTime,
    body: `claude_code.${name}`,
    resource,
    instrumentationScope: scope,
    attributes,
    droppedAttributesCount: 0
  }
}

export const jsonExport = (events: ReadonlyArray<ApiRequestEvent>): string =>
  new TextDecoder().decode(JsonLogsSerializer.serializeRequest(events.map(record)))

export const protobufExport = (events: ReadonlyArray<ApiRequestEvent>): Uint8Array =>
  ProtobufLogsSerializer.serializeRequest(events.map(record))!

/** The answer as the exporter reads it. */
export const protobufAnswer = (bytes: Uint8Array) => ProtobufLogsSerializer.deserializeResponse(bytes)
