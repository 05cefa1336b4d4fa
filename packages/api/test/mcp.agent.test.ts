import { IdleWatchdog } from "@clockme/domain/services/IdleWatchdog"
import { expect, layer } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, TestClock } from "effect"
import { setNow, unknownKey } from "./lib/Fixtures.js"
import { connectMcp, ok, protocolError, toolError } from "./lib/McpClient.js"
import { baseUrl, call, signUp, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

const root = fileURLToPath(new URL("../../../", import.meta.url))
/** The built relay, the `clockme-mcp` bin of the SDK package (vitest's global setup builds it fresh). */
const bin = fileURLToPath(new URL("../../sdk/dist/mcp.js", import.meta.url))

/** `clockme-mcp` as a stdio MCP client would spawn it, driven by the SDK's stdio client. */
const spawnStdio = (env: Record<string, string>, args: ReadonlyArray<string> = []) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [bin, ...args],
        env: { ...process.env as Record<string, string>, CLOCKME_URL: "", CLOCKME_API_KEY: "", ...env },
        cwd: root,
        stderr: "pipe"
      })
      const stderr: Array<string> = []
      transport.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()))
      const client = new Client({ name: "stdio-test", version: "1.0.0" })
      await client.connect(transport)
      return { client, stderr: () => stderr.join("") }
    }),
    ({ client }) => Effect.promise(() => client.close())
  )

/** What an agent does in a working session, through any MCP client. */
const agentSession = (client: Client) =>
  Effect.gen(function*() {
    yield* setNow("2026-06-15T09:00:00Z")
    expect((yield* ok(client, "clockme_list_projects")).projects).toEqual([])

    const started = yield* ok(client, "clockme_start_timer", {
      projectName: "acme-api",
      autoCreate: true,
      description: "Refactor auth"
    })
    expect(started).toMatchObject({ projectName: "acme-api", source: "mcp", state: "running", alreadyRunning: false })
    const project = started.projectId
    const fuzzy = yield* ok(client, "clockme_start_timer", { projectName: "Acme API" })
    expect(fuzzy).toMatchObject({ id: started.id, projectId: project, alreadyRunning: true })
    yield* ok(client, "clockme_update_project", { projectId: project, hourlyRate: 100, budgetHours: 10 })

    const block = {
      projectId: project,
      startTime: "2026-06-15T06:30:00Z",
      durationMinutes: 90,
      description: "Spike before the session",
      idempotencyKey: "session-42-block-1"
    }
    const logged = yield* ok(client, "clockme_log_time", block)
    const retried = yield* ok(client, "clockme_log_time", block)
    expect(retried.id).toBe(logged.id)
    expect((yield* ok(client, "clockme_list_entries", { projectId: project })).entries).toHaveLength(1)

    yield* TestClock.adjust("30 minutes")
    expect(yield* ok(client, "clockme_pause_timer", {})).toMatchObject({ state: "paused", elapsedSeconds: 1800 })
    yield* TestClock.adjust("15 minutes")
    expect(yield* ok(client, "clockme_resume_timer", {})).toMatchObject({ state: "running", elapsedSeconds: 1800 })
    yield* TestClock.adjust("45 minutes")
    const status = yield* ok(client, "clockme_status")
    expect(status.timers).toMatchObject([{ projectId: project, state: "running", elapsedSeconds: 4500 }])

    const stopped = yield* ok(client, "clockme_stop_timer", {})
    expect(stopped).toMatchObject({
      projectId: project,
      description: "Refactor auth",
      durationSeconds: 4500,
      pausedSeconds: 900,
      source: "mcp"
    })
    yield* toolError(client, "clockme_stop_timer", {}, "timer_not_running")

    const report = yield* ok(client, "clockme_get_report", { from: "2026-06-15", to: "2026-06-15" })
    expect(report.projects).toMatchObject([{ projectId: project, projectName: "acme-api", hours: 2.75, amount: 275 }])
    expect(report.totals).toMatchObject({ hours: 2.75, amount: 275, entries: 2 })

    const budget = yield* ok(client, "clockme_get_budget", { projectId: project })
    expect(budget).toMatchObject({ hours: { limit: 10, used: 2.75, remaining: 7.25, percent: 27.5 }, status: "ok" })
    expect((yield* ok(client, "clockme_list_entries", {})).entries).toHaveLength(2)
    return project
  })

layer(TestServer, { timeout: 120_000 })("MCP: an agent's working session", (it) => {
  it.scoped("over Streamable HTTP: start by fuzzy name with autoCreate, log once per key, pause, resume, stop, report, budget", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const project = yield* agentSession(yield* connectMcp(base, key))
      const entries = yield* call(base, "GET", `/api/entries?projectId=${project}`, { key })
      expect(entries.body.entries.map((e: any) => e.source)).toEqual(["mcp", "mcp"])
    }))

  it.scoped("over stdio: clockme-mcp serves the same tools as a client of the server, logging on stderr only", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stdio = yield* spawnStdio({ CLOCKME_URL: base, CLOCKME_API_KEY: key })
      const http = yield* connectMcp(base, key)

      const viaStdio = yield* Effect.promise(() => stdio.client.listTools())
      const viaHttp = yield* Effect.promise(() => http.listTools())
      expect(viaStdio.tools).toEqual(viaHttp.tools)
      expect(viaStdio.tools).toHaveLength(20)
      expect(stdio.client.getServerVersion()).toMatchObject({ name: "clockme" })
      expect(stdio.client.getInstructions()).toContain("clockme_start_timer")

      yield* agentSession(stdio.client)
      const malformed = yield* protocolError(stdio.client, "clockme_get_budget", { projectId: "nope" })
      expect(malformed.code).toBe(-32602)
      expect(malformed.message).toContain("projectId")
      expect(stdio.stderr()).toContain("clockme-mcp: connected to")
    }))

  it.scoped("over stdio with --url and --key flags, a URL that already names /api/mcp works too", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const stdio = yield* spawnStdio({}, ["--url", `${base}/api/mcp`, "--key", key])
      yield* setNow("2026-06-15T09:00:00Z")
      const created = yield* ok(stdio.client, "clockme_create_project", { name: "Flags" })
      expect(created.name).toBe("Flags")
    }))

  it.scoped("over stdio with a bad key, every call fails saying the key was rejected", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const stdio = yield* spawnStdio({ CLOCKME_URL: base, CLOCKME_API_KEY: unknownKey() })
      const refused = yield* Effect.promise(() => stdio.client.listTools().then(() => "listed", (e: Error) => e.message))
      expect(refused).toContain("rejected the API key (401)")
      expect(stdio.stderr()).toContain("rejected the API key")
    }))

  it.effect("clockme-mcp without a key exits with a message on stderr and nothing on stdout", () =>
    Effect.gen(function*() {
      const result = yield* Effect.promise(() =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const env = { ...process.env, CLOCKME_API_KEY: "" }
          execFile(process.execPath, [bin], { cwd: root, env }, (error, stdout, stderr) =>
            resolve({ code: error ? (error as any).code : 0, stdout, stderr }))
        })
      )
      expect(result).toMatchObject({ code: 2, stdout: "" })
      expect(result.stderr).toContain("CLOCKME_API_KEY")
    }))
})

layer(TestServer, { timeout: 120_000 })("MCP calls are an agent's activity", (it) => {
  it.scoped("a timer driven only through MCP is not stopped as idle while the agent keeps calling tools", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-16T09:00:00Z")
      const base = yield* baseUrl
      const { key } = yield* signUp()
      const client = yield* connectMcp(base, key)
      const sweep = Effect.flatMap(IdleWatchdog, (watchdog) => watchdog.sweep)
      yield* ok(client, "clockme_start_timer", { projectName: "mcp-only", autoCreate: true })
      for (let i = 0; i < 4; i++) {
        yield* TestClock.adjust("20 minutes")
        expect(yield* sweep).toBe(0)
        yield* ok(client, "clockme_status")
      }
      const entry = yield* ok(client, "clockme_stop_timer", {})
      expect(entry).toMatchObject({ durationSeconds: 80 * 60, source: "mcp", stopReason: "manual" })

      yield* ok(client, "clockme_start_timer", { projectName: "mcp-only" })
      yield* TestClock.adjust("31 minutes")
      expect(yield* sweep).toBe(1)
    }))
})
