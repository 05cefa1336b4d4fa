import { afterEach, describe, expect, it } from "@effect/vitest"
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MAX_BYTES_PER_CALL, MAX_RECORDS_PER_CALL, readNewUsage } from "../src/cli/UsageReader.js"

/** A fresh ~/.clockme for the reader's offsets (it reads CLOCKME_HOME at each call). */
const fresh = () => {
  const root = mkdtempSync(join(tmpdir(), "clockme-usage-"))
  process.env.CLOCKME_HOME = join(root, ".clockme")
  return root
}

/** Reads like a hook call that delivered what it read. */
const call = async (tool: string, payload: unknown, session: string) => {
  const read = await readNewUsage(tool, payload, session)
  read.commit()
  return read.records
}

const claudeLine = (n: number, pad = 0) =>
  JSON.stringify({
    type: "assistant",
    requestId: `req_${n}`,
    timestamp: "2026-12-07T09:00:00.000Z",
    message: { id: `msg_${n}`, model: "claude-haiku-4-5", content: "x".repeat(pad), usage: { input_tokens: n, output_tokens: 1 } }
  })

const saved = { HOME: process.env.HOME, CLOCKME_HOME: process.env.CLOCKME_HOME }
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

describe("reading the tools' usage records", () => {
  it("more requests than one call sends: the rest comes with the next call, none twice", async () => {
    const root = fresh()
    const file = join(root, "t.jsonl")
    const total = MAX_RECORDS_PER_CALL * 2 + 37
    writeFileSync(file, Array.from({ length: total }, (_, i) => claudeLine(i + 1)).join("\n") + "\n")
    const payload = { transcript_path: file }
    const keys: Array<string> = []
    for (let i = 0; i < 10; i++) {
      const records = await call("claude-code", payload, "s1")
      expect(records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_CALL)
      keys.push(...records.map((r) => r.key))
      if (records.length === 0) break
    }
    expect(keys.length).toBe(total)
    expect(new Set(keys).size).toBe(total)
  })

  it("a line longer than one call may read is skipped; the lines after it are read", async () => {
    const root = fresh()
    const file = join(root, "t.jsonl")
    writeFileSync(file, [claudeLine(1), claudeLine(2, MAX_BYTES_PER_CALL + 10), claudeLine(3), ""].join("\n"))
    const payload = { transcript_path: file }
    const seen: Array<string> = []
    for (let i = 0; i < 5; i++) seen.push(...(await call("claude-code", payload, "s2")).map((r) => r.key))
    expect(seen).toEqual(["request:req_1", "request:req_3"])
  })

  it("Claude Code: the session's subagent transcripts are read beside the main one", async () => {
    const root = fresh()
    const main = join(root, "projects", "p", "s5.jsonl")
    const subagents = join(root, "projects", "p", "s5", "subagents")
    mkdirSync(subagents, { recursive: true })
    writeFileSync(main, claudeLine(1) + "\n")
    writeFileSync(join(subagents, "agent-a1.jsonl"), claudeLine(2) + "\n" + claudeLine(3) + "\n")
    expect((await call("claude-code", { transcript_path: main }, "s5")).map((r) => r.key).sort()).toEqual(["request:req_1", "request:req_2", "request:req_3"])
    appendFileSync(join(subagents, "agent-a1.jsonl"), claudeLine(4) + "\n")
    expect((await call("claude-code", { transcript_path: main }, "s5")).map((r) => r.key)).toEqual(["request:req_4"])
  })

  it("an unreadable or missing file is skipped, and what it did not read waits uncommitted", async () => {
    const root = fresh()
    expect(await call("claude-code", { transcript_path: root }, "s3")).toEqual([])
    expect(await call("codex", { transcript_path: join(root, "missing.jsonl") }, "s3")).toEqual([])
    expect(await call("cursor", { transcript_path: root }, "s3")).toEqual([])
    const file = join(root, "t.jsonl")
    writeFileSync(file, claudeLine(1) + "\n")
    // read but not delivered (no commit): the next call reads it again
    expect((await readNewUsage("claude-code", { transcript_path: file }, "s4")).records.map((r) => r.key)).toEqual(["request:req_1"])
    expect((await call("claude-code", { transcript_path: file }, "s4")).map((r) => r.key)).toEqual(["request:req_1"])
    expect(await call("claude-code", { transcript_path: file }, "s4")).toEqual([])
  })

  it("Gemini's older .json chat document: messages already read are skipped; one still without tokens is read again", async () => {
    const root = fresh()
    const chats = join(root, ".gemini", "tmp", "p1", "chats")
    mkdirSync(chats, { recursive: true })
    const file = join(chats, "session-2026-12-07T09-00-abcdef12.json")
    const message = (id: string, tokens?: object) => ({ id, type: "gemini", model: "gemini-2.5-flash", timestamp: "2026-12-07T09:00:00Z", content: "", ...(tokens ? { tokens } : {}) })
    const doc = (messages: Array<object>) => JSON.stringify({ sessionId: "abcdef12-0000", projectHash: "p1", messages })
    writeFileSync(file, doc([{ id: "u1", type: "user", content: "hi" }, message("g1", { input: 10, output: 5, cached: 0, total: 15 }), message("g2")]))
    process.env.HOME = root
    // found without transcript_path: by the session id's first 8 characters
    expect((await call("gemini", {}, "abcdef12-0000")).map((r) => r.key)).toEqual(["gemini:g1"])
    writeFileSync(file, doc([{ id: "u1", type: "user", content: "hi" }, message("g1", { input: 10, output: 5, cached: 0, total: 15 }), message("g2", { input: 7, output: 3, cached: 2, thoughts: 1, total: 11 })]))
    expect(await call("gemini", {}, "abcdef12-0000")).toEqual([
      { key: "gemini:g2", model: "gemini-2.5-flash", inputTokens: 5, outputTokens: 4, cacheReadTokens: 2, cacheCreationTokens: 0, at: "2026-12-07T09:00:00.000Z" }
    ])
    appendFileSync(file, " ")
    expect(await call("gemini", {}, "abcdef12-0000")).toEqual([])
  })
})
