import { createHash } from "node:crypto"
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync, unlinkSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { clockmeHome } from "./HookProgram.js"
import { home, writePrivate } from "./Paths.js"
import { claudeUsage, codexUsage, geminiDocumentUsage, geminiLinesUsage, type Line, type UsageMemory, type UsageRecord } from "./UsageLines.js"

/**
 * The hook's side of AI usage: at Stop and SessionEnd it reads what the tool recorded since its last call (a saved
 * offset per session and file, under ~/.clockme/usage, never in a plugin root) and hands back the new requests.
 * Bounded per call; a file it cannot read is skipped; nothing here throws.
 */

/** New bytes parsed per call, over all of a session's files; the rest waits for the next call. */
export const MAX_BYTES_PER_CALL = 2 * 1024 * 1024
/**
 * A compressed rollout is decompressed from its start each call, so a larger one, or one that takes longer than
 * this to reach the new text, is given up until it changes.
 */
const MAX_ZST_BYTES = 32 * 1024 * 1024
const MAX_ZST_MS = 300
/** Requests sent with one event (the contract's bound). */
export const MAX_RECORDS_PER_CALL = 500

interface FileMark {
  /** Bytes of the (decompressed) text read, up to the end of its last whole line. */
  offset: number
  /** The last call stopped inside a line too long to read: skip to its end first. */
  skipping?: boolean
  /** Gemini `.json` documents: messages already read. */
  messages?: number
  /** The size and mtime of a compressed file read to its end: unchanged, it is not decompressed again. */
  done?: string
}

interface SessionState extends UsageMemory {
  files: Record<string, FileMark>
}

export const usageDir = (): string => join(clockmeHome(), "usage")

const stateFile = (tool: string, session: string) =>
  join(usageDir(), `${createHash("sha256").update(`${tool}\0${session}`).digest("hex").slice(0, 32)}.json`)

const readState = (file: string): SessionState => {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8"))
    if (typeof parsed?.files === "object" && Array.isArray(parsed.seen)) return parsed
  } catch {
    // none yet, or unreadable: start over (the server counts a resent request once)
  }
  return { files: {}, seen: [] }
}

const str = (value: unknown): string | undefined => typeof value === "string" && value.trim() !== "" ? value : undefined

const listDir = (dir: string): Array<string> => {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

const localDay = (ms: number) => {
  const d = new Date(ms)
  return [String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, "0"), String(d.getDate()).padStart(2, "0")]
}

/** Where each tool writes the session's records (ai-tools.md §2): the payload's transcript_path first. */
const filesOf = (tool: string, payload: any, session: string): Array<string> => {
  const given = str(payload?.transcript_path) ?? str(payload?.transcriptPath)
  switch (tool) {
    case "claude-code": {
      const base = (process.env.CLAUDE_CONFIG_DIR || join(home(), ".claude")).split(",")[0]!
      const main = given ?? listDir(join(base, "projects")).map((p) => join(base, "projects", p, `${session}.jsonl`)).find((f) => existsSync(f))
      if (main === undefined) return []
      const subagents = join(dirname(main), basename(main, ".jsonl"), "subagents")
      return [main, ...listDir(subagents).filter((f) => f.endsWith(".jsonl")).map((f) => join(subagents, f))]
    }
    case "codex": {
      if (given !== undefined) return [existsSync(given) || !existsSync(`${given}.zst`) ? given : `${given}.zst`]
      const root = process.env.CODEX_HOME || join(home(), ".codex")
      const dirs = [0, 1, 2, 7].map((days) => join(root, "sessions", ...localDay(Date.now() - days * 86_400_000)))
      for (const dir of [...dirs, join(root, "archived_sessions")]) {
        const hit = listDir(dir).find((f) => f.startsWith("rollout-") && (f.endsWith(`${session}.jsonl`) || f.endsWith(`${session}.jsonl.zst`)))
        if (hit !== undefined) return [join(dir, hit)]
      }
      return []
    }
    case "gemini": {
      if (given !== undefined) return [given]
      const tmp = join(process.env.GEMINI_DATA_DIR?.split(",")[0] || join(home(), ".gemini", "tmp"))
      const suffix = session.slice(0, 8)
      for (const project of listDir(tmp)) {
        const chats = join(tmp, project, "chats")
        const hit = listDir(chats).find((f) => f.startsWith("session-") && (f.endsWith(`-${suffix}.jsonl`) || f.endsWith(`-${suffix}.json`)))
        if (hit !== undefined) return [join(chats, hit)]
      }
      return []
    }
    default:
      return []
  }
}

/** The text from `from` on, at most `limit` bytes, of a plain file; undefined when it cannot be read. */
const readPlain = (file: string, from: number, limit: number): { readonly bytes: Buffer; readonly size: number } | undefined => {
  let fd: number | undefined
  try {
    fd = openSync(file, "r")
    const size = fstatSync(fd).size
    const start = from > size ? 0 : from
    const bytes = Buffer.alloc(Math.max(0, Math.min(size - start, limit)))
    const read = readSync(fd, bytes, 0, bytes.length, start)
    return { bytes: bytes.subarray(0, read), size }
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** A `.zst` rollout decompressed as a stream, keeping only `limit` bytes from `from` on. */
const readZst = async (file: string, from: number, limit: number): Promise<{ readonly bytes: Buffer; readonly size: number } | "too big" | undefined> => {
  try {
    const started = Date.now()
    const compressed = readFileSync(file)
    if (compressed.length > MAX_ZST_BYTES) return "too big"
    const { Decompress } = await import("fzstd")
    const kept: Array<Uint8Array> = []
    let position = 0
    let keptBytes = 0
    const stream = new Decompress((chunk) => {
      const start = Math.max(0, from - position)
      if (start < chunk.length && keptBytes < limit) {
        const piece = chunk.subarray(start, start + limit - keptBytes)
        kept.push(piece)
        keptBytes += piece.length
      }
      position += chunk.length
    })
    for (let i = 0; i < compressed.length && keptBytes < limit; i += 65_536) {
      if (Date.now() - started > MAX_ZST_MS) return "too big"
      stream.push(compressed.subarray(i, i + 65_536), i + 65_536 >= compressed.length)
    }
    return { bytes: Buffer.concat(kept), size: position }
  } catch {
    return undefined
  }
}

/** The lines each tool's usage records contain: any other line is neither decoded nor parsed. */
const MARKERS: Record<string, ReadonlyArray<Buffer>> = {
  "claude-code": [Buffer.from("\"usage\"")],
  codex: [Buffer.from("\"token_count\""), Buffer.from("\"turn_context\"")],
  gemini: [Buffer.from("\"gemini\"")]
}

/**
 * The whole lines of `bytes` (which start at `offset`) that hold a marker, and the offset after the last whole line;
 * a half-written last line waits. `skipping`: the first line began in an earlier call and was too long to read.
 */
const wholeLines = (bytes: Buffer, offset: number, skipping: boolean, limited: boolean, markers: ReadonlyArray<Buffer>) => {
  let begin = 0
  if (skipping) {
    const end = bytes.indexOf(10)
    if (end < 0) return { lines: [], next: offset + bytes.length, skipping: true }
    begin = end + 1
  }
  const last = bytes.lastIndexOf(10)
  if (last < begin) {
    // one line longer than a call may read: skipped, not parsed
    return limited ? { lines: [], next: offset + bytes.length, skipping: true } : { lines: [], next: offset + begin, skipping: false }
  }
  const starts = new Set<number>()
  for (const marker of markers) {
    for (let at = bytes.indexOf(marker, begin); at >= 0 && at < last; at = bytes.indexOf(marker, at + 1)) {
      const start = Math.max(begin, bytes.lastIndexOf(10, at) + 1)
      starts.add(start)
      at = bytes.indexOf(10, at)
    }
  }
  const lines: Array<Line> = [...starts].sort((a, b) => a - b)
    .map((start) => ({ line: bytes.toString("utf8", start, bytes.indexOf(10, start)), offset: offset + start }))
  return { lines, next: offset + last + 1, skipping: false }
}

export interface ReadUsage {
  readonly records: ReadonlyArray<UsageRecord>
  /** Saves the offsets: call it once the records were sent or queued. */
  readonly commit: () => void
}

const nothing: ReadUsage = { records: [], commit: () => undefined }

/** The requests the tool recorded for the session since the last committed call. Never throws. */
export const readNewUsage = async (tool: string, payload: any, session: string | undefined): Promise<ReadUsage> => {
  if (session === undefined || !["claude-code", "codex", "gemini"].includes(tool)) return nothing
  try {
    const file = stateFile(tool, session)
    const state = readState(file)
    const records: Array<UsageRecord> = []
    let budget = MAX_BYTES_PER_CALL
    for (const path of filesOf(tool, payload, session)) {
      if (budget <= 0 || records.length >= MAX_RECORDS_PER_CALL) break
      // a rollout compressed after it was read in part continues at the same (decompressed) offset
      const id = path.replace(/\.zst$/, "")
      const mark: FileMark = state.files[id] ?? { offset: 0 }
      if (tool === "gemini" && path.endsWith(".json")) {
        const read = readPlain(path, 0, MAX_BYTES_PER_CALL)
        if (read === undefined || read.size > MAX_BYTES_PER_CALL) continue
        const found = geminiDocumentUsage(read.bytes.toString("utf8"), mark.messages ?? 0)
        records.push(...found.records)
        state.files[id] = { offset: 0, messages: found.next }
        budget -= read.size
        continue
      }
      const zst = path.endsWith(".zst")
      let signature: string | undefined
      if (zst) {
        try {
          const s = statSync(path)
          signature = `${s.size}:${s.mtimeMs}`
        } catch {
          continue
        }
        if (mark.done === signature) continue
      }
      const read = zst ? await readZst(path, mark.offset, budget) : readPlain(path, mark.offset, budget)
      if (read === "too big") {
        state.files[id] = { ...mark, done: signature! }
        continue
      }
      if (read === undefined) continue
      const offset = mark.offset > read.size ? 0 : mark.offset
      const limited = read.bytes.length >= budget
      budget -= read.bytes.length
      const { lines, next: end, skipping } = wholeLines(read.bytes, offset, offset > 0 && mark.skipping === true, limited, MARKERS[tool]!)
      const room = MAX_RECORDS_PER_CALL - records.length
      const found = tool === "codex"
        ? codexUsage(lines, state, session, room)
        : tool === "claude-code"
        ? claudeUsage(lines, state, room)
        : geminiLinesUsage(lines, room)
      // more requests than one call sends: the rest, from the first line not read, next time
      const next = found.consumed < lines.length ? lines[found.consumed]!.offset : end
      records.push(...found.records)
      state.files[id] = {
        offset: next,
        ...(skipping && next === end ? { skipping: true } : {}),
        ...(zst && next >= read.size && signature !== undefined ? { done: signature } : {})
      }
    }
    const sent = records.slice(0, MAX_RECORDS_PER_CALL)
    return {
      records: sent,
      commit: () => {
        try {
          writePrivate(file, JSON.stringify(state))
          if (Math.random() < 0.02) sweep()
        } catch {
          // the next call reads the same requests again; the server counts them once
        }
      }
    }
  } catch {
    return nothing
  }
}

/** Sessions untouched for 45 days (the tools keep their records 30) are forgotten. */
const sweep = () => {
  for (const name of listDir(usageDir())) {
    try {
      if (Date.now() - statSync(join(usageDir(), name)).mtimeMs > 45 * 86_400_000) unlinkSync(join(usageDir(), name))
    } catch {
      // another hook swept it
    }
  }
}
