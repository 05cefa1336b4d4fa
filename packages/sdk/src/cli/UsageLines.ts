/**
 * Reads AI usage from the lines each tool records (see ../shared/reference/ai-tools.md §2): Claude Code's transcript,
 * Codex's rollout, Gemini CLI's chat file. Pure: lines in, requests out, with what must be remembered between calls
 * in `UsageMemory`. A line that is not JSON, or not a usage record, is skipped.
 */

/** One AI request, as the contract's HookUsage takes it. */
export interface UsageRecord {
  readonly key: string
  readonly model: string
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cacheReadTokens: number
  readonly cacheCreationTokens: number
  readonly at?: string
}

export interface CodexTotals {
  readonly input: number
  readonly cached: number
  readonly output: number
  readonly total: number
}

/** One whole line of a file, and where it starts (in bytes). */
export interface Line {
  readonly line: string
  readonly offset: number
}

/** The requests read, and how many of the lines gave them: past `limit` requests the rest waits for the next call. */
export interface Found {
  readonly records: Array<UsageRecord>
  readonly consumed: number
}

/** What a session's reader keeps between calls. */
export interface UsageMemory {
  /** Claude Code message ids and request ids already read (bounded): replays and repeated lines count once. */
  seen: Array<string>
  codexModel?: string | undefined
  codexTotals?: CodexTotals | undefined
}

const MAX_SEEN = 1000

const count = (value: unknown): number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0 ? value : 0

const text = (value: unknown, max = 200): string | undefined => {
  if (typeof value !== "string") return undefined
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "").replace(/[\uD800-\uDFFF]/g, "").trim().slice(0, max)
  return clean === "" ? undefined : clean
}

const instant = (value: unknown): string | undefined => {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
}

const parse = (line: string): any => {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

const remember = (memory: UsageMemory, ...ids: ReadonlyArray<string>) => {
  memory.seen.push(...ids)
  if (memory.seen.length > MAX_SEEN) memory.seen.splice(0, memory.seen.length - MAX_SEEN)
}

const tokens = (r: UsageRecord) => r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheCreationTokens

/**
 * Claude Code: assistant lines with `message.usage`. One response appears on several lines (one per content block,
 * the last with the final counts), so per request the line with the most tokens wins; a line without a request id,
 * or a message already read under another request (a sidechain replay), is skipped. The key `request:<id>` is
 * the one the OpenTelemetry receiver stores, so a request reported both ways counts once.
 */
export const claudeUsage = (lines: ReadonlyArray<Line>, memory: UsageMemory, limit = Infinity): Found => {
  const found = new Map<string, UsageRecord>()
  const requestOf = new Map<string, string>()
  const earlier = new Set(memory.seen)
  let consumed = 0
  for (const { line } of lines) {
    consumed++
    if (!line.includes("\"usage\"")) continue
    const value = parse(line)
    const usage = value?.message?.usage
    if (typeof usage !== "object" || usage === null || value.isApiErrorMessage === true) continue
    const requestId = text(value.requestId)
    const model = text(value.message.model)
    if (requestId === undefined || model === undefined || model === "<synthetic>") continue
    const key = `request:${requestId}`
    const messageId = text(value.message.id) ?? key
    if (earlier.has(key) || earlier.has(`message:${messageId}`) || (requestOf.get(messageId) ?? key) !== key) continue
    if (!found.has(key) && found.size >= limit) {
      consumed--
      break
    }
    requestOf.set(messageId, key)
    const at = instant(value.timestamp)
    const record: UsageRecord = {
      key,
      model,
      inputTokens: count(usage.input_tokens),
      outputTokens: count(usage.output_tokens),
      cacheReadTokens: count(usage.cache_read_input_tokens),
      cacheCreationTokens: count(usage.cache_creation_input_tokens),
      ...(at === undefined ? {} : { at })
    }
    const before = found.get(key)
    if (before === undefined || tokens(record) > tokens(before)) found.set(key, record)
  }
  for (const [messageId, key] of requestOf) remember(memory, key, `message:${messageId}`)
  return { records: [...found.values()].filter((r) => tokens(r) > 0), consumed }
}

const totalsOf = (usage: any): CodexTotals | undefined =>
  typeof usage === "object" && usage !== null
    ? { input: count(usage.input_tokens), cached: count(usage.cached_input_tokens), output: count(usage.output_tokens), total: count(usage.total_tokens) }
    : undefined

/**
 * Codex: `event_msg` lines of type `token_count` with `info.last_token_usage` (the turn), or else the difference
 * of `info.total_token_usage` from the previous one; an event repeating the same total is the same turn. Cached
 * input is part of `input_tokens` and is billed apart; reasoning is part of `output_tokens`. The model comes from
 * the latest `turn_context`.
 */
export const codexUsage = (lines: ReadonlyArray<Line>, memory: UsageMemory, session: string, limit = Infinity): Found => {
  const records: Array<UsageRecord> = []
  let consumed = 0
  for (const { line, offset } of lines) {
    if (records.length >= limit) break
    consumed++
    if (line.includes("\"turn_context\"")) {
      const model = text(parse(line)?.payload?.model)
      if (model !== undefined) memory.codexModel = model
      continue
    }
    if (!line.includes("\"token_count\"")) continue
    const value = parse(line)
    const info = value?.type === "event_msg" && value.payload?.type === "token_count" ? value.payload.info : undefined
    if (typeof info !== "object" || info === null) continue
    const total = totalsOf(info.total_token_usage)
    const previous = memory.codexTotals
    if (total !== undefined && previous !== undefined && total.total <= previous.total) continue
    const last = totalsOf(info.last_token_usage) ?? (total === undefined ? undefined : {
      input: Math.max(0, total.input - (previous?.input ?? 0)),
      cached: Math.max(0, total.cached - (previous?.cached ?? 0)),
      output: Math.max(0, total.output - (previous?.output ?? 0)),
      total: 0
    })
    if (total !== undefined) memory.codexTotals = total
    if (last === undefined || last.input + last.output === 0) continue
    const cached = Math.min(last.cached, last.input)
    records.push({
      key: total === undefined ? `codex:${session}@${offset}` : `codex:${session}:${total.total}`,
      model: memory.codexModel ?? "gpt-5",
      inputTokens: last.input - cached,
      outputTokens: last.output,
      cacheReadTokens: cached,
      cacheCreationTokens: 0,
      ...(instant(value.timestamp) === undefined ? {} : { at: instant(value.timestamp)! })
    })
  }
  return { records, consumed }
}

/** One Gemini message's request, when it carries tokens: cached input is part of `input`; thoughts bill as output. */
const geminiRecord = (message: any): UsageRecord | undefined => {
  const t = message?.tokens
  const id = text(message?.id)
  if (message?.type !== "gemini" || typeof t !== "object" || t === null || id === undefined) return undefined
  const cached = Math.min(count(t.cached), count(t.input))
  const record: UsageRecord = {
    key: `gemini:${id}`,
    model: text(message.model) ?? "gemini",
    inputTokens: count(t.input) - cached + count(t.tool),
    outputTokens: count(t.output) + count(t.thoughts),
    cacheReadTokens: cached,
    cacheCreationTokens: 0,
    ...(instant(message.timestamp) === undefined ? {} : { at: instant(message.timestamp)! })
  }
  return tokens(record) > 0 ? record : undefined
}

/** Gemini CLI's `.jsonl` chat file: one record per line, a message written again under its id when it changes (the last wins). */
export const geminiLinesUsage = (lines: ReadonlyArray<Line>, limit = Infinity): Found => {
  const found = new Map<string, UsageRecord>()
  let consumed = 0
  for (const { line } of lines) {
    if (found.size >= limit) break
    consumed++
    if (!line.includes("\"gemini\"")) continue
    const value = parse(line)
    for (const message of [value, value?.message, ...(Array.isArray(value?.messages) ? value.messages : [])]) {
      const record = geminiRecord(message)
      if (record !== undefined) found.set(record.key, record)
    }
  }
  return { records: [...found.values()], consumed }
}

/** Gemini CLI's older `.json` chat file (one document, rewritten whole): the messages from `from` on. */
export const geminiDocumentUsage = (document: string, from: number): { readonly records: Array<UsageRecord>; readonly next: number } => {
  const messages = parse(document)?.messages
  if (!Array.isArray(messages)) return { records: [], next: from }
  const start = from > messages.length ? 0 : from
  const records = messages.slice(start).flatMap((m: unknown) => geminiRecord(m) ?? [])
  // the last message may still be waiting for its tokens: read it again next time
  const last = messages[messages.length - 1]
  const next = last?.type === "gemini" && geminiRecord(last) === undefined ? messages.length - 1 : messages.length
  return { records, next: Math.max(start, next) }
}
