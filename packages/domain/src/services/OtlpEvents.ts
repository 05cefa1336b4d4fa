import { DateTime } from "effect"
import type { OtlpLogsRequest, TokenCounts } from "../contract/Usage.js"

type KeyValues = NonNullable<NonNullable<OtlpLogsRequest["resourceLogs"][number]["resource"]>["attributes"]>
type AnyValue = NonNullable<KeyValues[number]["value"]>

/** One `claude_code.api_request` event, read from an export. */
export interface ApiRequest extends TokenCounts {
  readonly sessionId: string
  readonly requestKey: string
  readonly model: string
  /** The client's own figure, as an exact decimal. */
  readonly costUsd: string | undefined
  readonly occurredAt: Date
}

const MAX_TEXT = 200
const API_REQUEST = "api_request"

const scalar = (value: AnyValue | undefined): string | number | boolean | undefined =>
  value === undefined
    ? undefined
    : value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue

const attributeMap = (attributes: KeyValues | undefined, into = new Map<string, string | number | boolean>()) => {
  for (const { key, value } of attributes ?? []) {
    const found = scalar(value)
    if (found !== undefined) into.set(key, found)
  }
  return into
}

class Rejected {
  constructor(readonly reason: string) {}
}

const text = (attributes: Map<string, unknown>, key: string, required: boolean): string | undefined => {
  const value = attributes.get(key)
  if (value === undefined && !required) return undefined
  if (typeof value !== "string" || value.trim() === "") throw new Rejected(`${key} is missing`)
  if (value.length > MAX_TEXT) throw new Rejected(`${key} is longer than ${MAX_TEXT} characters`)
  return value
}

/** Claude Code sends many numbers as strings; both are taken. */
const count = (attributes: Map<string, unknown>, key: string): number => {
  const value = attributes.get(key)
  if (value === undefined) return 0
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < 0) throw new Rejected(`${key} must be a non-negative integer, not ${JSON.stringify(value)}`)
  return n
}

const cost = (attributes: Map<string, unknown>): string | undefined => {
  const value = attributes.get("cost_usd")
  if (value === undefined) return undefined
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN
  if (!Number.isFinite(n) || n < 0 || n > 1_000_000) {
    throw new Rejected(`cost_usd must be a non-negative number of dollars, not ${JSON.stringify(value)}`)
  }
  return n.toFixed(12)
}

const instant = (nanos: string | number | undefined, now: Date): Date => {
  if (nanos === undefined) return now
  let millis: bigint
  try {
    millis = BigInt(nanos) / 1_000_000n
  } catch {
    throw new Rejected(`timeUnixNano must be an integer, not ${JSON.stringify(nanos)}`)
  }
  // 0 means "unknown" in OTLP; the observed time or now stands in
  if (millis <= 0n) return now
  if (millis > BigInt(now.getTime()) + 86_400_000n) throw new Rejected("timeUnixNano lies more than a day in the future")
  return DateTime.toDate(DateTime.unsafeMake(Number(millis)))
}

const isApiRequest = (record: NonNullable<NonNullable<OtlpLogsRequest["resourceLogs"][number]["scopeLogs"]>[number]["logRecords"]>[number], attributes: Map<string, unknown>) =>
  attributes.get("event.name") === API_REQUEST || record.eventName === `claude_code.${API_REQUEST}` ||
  record.body?.stringValue === `claude_code.${API_REQUEST}`

/**
 * The `claude_code.api_request` events of an export, and a reason for each one that cannot be stored (named
 * by its place in the export). Other events are skipped: they are accepted and ignored.
 */
export const readApiRequests = (request: OtlpLogsRequest, now: Date) => {
  const requests: Array<ApiRequest> = []
  const rejected: Array<string> = []
  ;request.resourceLogs.forEach((resourceLogs, r) => {
    const resource = attributeMap(resourceLogs.resource?.attributes)
    ;(resourceLogs.scopeLogs ?? []).forEach((scopeLogs, s) => {
      ;(scopeLogs.logRecords ?? []).forEach((record, l) => {
        const attributes = attributeMap(record.attributes, new Map(resource))
        if (!isApiRequest(record, attributes)) return
        try {
          const sessionId = text(attributes, "session.id", true)!
          const model = text(attributes, "model", true)!
          const tokens = {
            inputTokens: count(attributes, "input_tokens"),
            outputTokens: count(attributes, "output_tokens"),
            cacheReadTokens: count(attributes, "cache_read_tokens"),
            cacheCreationTokens: count(attributes, "cache_creation_tokens")
          }
          const occurredAt = instant(record.timeUnixNano ?? record.observedTimeUnixNano, now)
          const requestId = text(attributes, "request_id", false)
          const promptId = text(attributes, "prompt.id", false)
          const sequence = attributes.get("event.sequence")
          // without a request id, the same record sent again is recognised by everything it says
          const requestKey = requestId !== undefined
            ? `request:${requestId}`
            : ["event", sessionId, promptId ?? "", String(sequence ?? ""), occurredAt.toISOString(), model,
              tokens.inputTokens, tokens.outputTokens, tokens.cacheReadTokens, tokens.cacheCreationTokens].join("|")
          requests.push({ sessionId, requestKey, model, ...tokens, costUsd: cost(attributes), occurredAt })
        } catch (error) {
          if (!(error instanceof Rejected)) throw error
          rejected.push(`resourceLogs[${r}].scopeLogs[${s}].logRecords[${l}]: ${error.reason}`)
        }
      })
    })
  })
  return { requests, rejected }
}
