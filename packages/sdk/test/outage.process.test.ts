import { describe, expect, it } from "@effect/vitest"
import { existsSync, readdirSync, readFileSync, utimesSync } from "node:fs"
import { join } from "node:path"
import { afterAll } from "vitest"
import type { RunningServer } from "../../api/test/lib/Process.js"
import { request, startServer, tempDataDir } from "../../api/test/lib/Process.js"
import { deserialize, eventCount } from "../src/cli/Stretches.js"
import { cliBin, runCli, sandbox } from "./lib/Cli.js"

/** The built CLI (vitest's global setup bundles it fresh for every run). */
const cli = cliBin
let server: RunningServer | undefined
afterAll(async () => {
  await server?.stop("SIGKILL")
})

/** Sets the hook's "seen" markers a minute back, as if that long had passed since the last hook. */
const ageMarkers = (config: string) => {
  const dir = join(config, "clockme", "seen")
  const then = new Date(Date.now() - 60_000)
  for (const name of readdirSync(dir)) utimesSync(join(dir, name), then, then)
}

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

/**
 * Real processes, real time: a server on its own data directory, the built CLI as the hooks, and a real
 * outage (the server process stopped and started again). Gemini CLI puts the event time in its payload, so
 * a short test can stand for 20 minutes of work, 17 of them while the server was down.
 */
describe("an outage with real processes", () => {
  it("hooks queue while the server is down; after the restart one entry covers the whole session", async () => {
    const dataDir = tempDataDir("outage")
    server = await startServer(dataDir)
    const key = /ck_live_[A-Za-z0-9_-]{20,}/.exec(server.output())![0]
    const box = sandbox()
    const gemini = { session_id: "gem-outage", transcript_path: "/tmp/g.json", cwd: box.project }
    const hook = (event: string, name: string, at: string, url: string) =>
      runCli(cli, ["hook", event, "--tool", "gemini", "--auto-create"], {
        env: {
          HOME: box.home,
          XDG_CONFIG_HOME: box.config,
          CLOCKME_URL: url,
          CLOCKME_API_KEY: key,
          CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: "10000"
        },
        stdin: JSON.stringify({ ...gemini, hook_event_name: name, timestamp: at })
      })

    const start = ago(50)
    expect((await hook("session-start", "SessionStart", start, server.base)).code).toBe(0)
    const downUrl = server.base
    expect((await server.stop("SIGTERM")).code).toBe(0)

    for (let i = 0; i < 5; i++) {
      // the hook ignores the same event of a session seen again within 5 s (editors that load two configs):
      // age its markers as if the prompts came minutes apart, as their timestamps say
      if (i > 0) ageMarkers(box.config)
      expect((await hook("prompt", "BeforeAgent", ago(45 - 3 * i), downUrl)).code).toBe(0)
    }
    const queue = readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8")
    expect(eventCount(deserialize(queue))).toBe(5)
    expect(deserialize(queue).stretches).toHaveLength(1)
    expect(Buffer.byteLength(queue)).toBeLessThan(5_000)

    server = await startServer(dataDir)
    const end = ago(30)
    expect((await hook("session-end", "SessionEnd", end, server.base)).code).toBe(0)
    const log = readFileSync(join(box.config, "clockme", "hook.log"), "utf8")
    expect(log).toContain("flush: sent acme-app")
    expect(existsSync(join(box.config, "clockme", "queue.jsonl")), log).toBe(false)

    const entries = (await request(server.base, "GET", "/api/entries", { key })).body.entries
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ startTime: start, endTime: end, stopReason: "session_end", heartbeats: 5 })
    expect(Math.abs(entries[0].durationSeconds - (Date.parse(end) - Date.parse(start)) / 1000)).toBeLessThanOrEqual(1)
    expect((await request(server.base, "GET", "/api/timer/current", { key })).body.timers).toEqual([])
  }, 300_000)
})
