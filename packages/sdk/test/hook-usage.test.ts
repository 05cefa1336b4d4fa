import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe } from "../src/index.js"
import { cliBin, closedPort, runCli, sandbox } from "./lib/Cli.js"
import { bash } from "./lib/Installs.js"
import { standIn } from "./lib/StandIn.js"

/**
 * The hook as the tools run it (`bash -c` with the command `clockme setup` wrote, the tool's stdin JSON), reading
 * the usage each tool records in the shapes of ../shared/reference/ai-tools.md §2, against a real server.
 */

const ORDER = ["session-start", "prompt", "stop", "session-end"]

/** The hook command setup wrote for each of our events. */
const commandsIn = (file: string): Record<string, string> => {
  const hooks = JSON.parse(readFileSync(file, "utf8")).hooks as Record<string, Array<any>>
  const commands: Record<string, string> = {}
  for (const list of Object.values(hooks)) {
    for (const h of list.flatMap((g) => Array.isArray(g.hooks) ? g.hooks : [g])) {
      const event = / hook (\S+) --tool /.exec(String(h.command))?.[1]
      if (event !== undefined && ORDER.includes(event)) commands[event] = String(h.command)
    }
  }
  return commands
}

const cleanEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(CLOCKME_|CLAUDE_|CURSOR_|GEMINI_|CODEX_|OTEL_|npm_|NODE_OPTIONS$)/.test(k)) env[k] = v
  }
  return env
}

interface Installed {
  readonly box: ReturnType<typeof sandbox>
  readonly env: Record<string, string>
  readonly cm: ClockMe
  readonly setupOut: string
  readonly fire: (event: string, payload: unknown, extraEnv?: Record<string, string>) => Promise<void>
}

const install = async (tool: string, base: string, key: string, settingsFile: string, extra: ReadonlyArray<string> = []): Promise<Installed> => {
  const box = sandbox()
  // a lifecycle test raises the budgets as a user can, so a loaded machine cannot make it flaky; the timing test keeps them
  const env = { ...cleanEnv(), HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_HOOK_BUDGET_MS: "10000", CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: "10000" }
  const setup = await runCli(cliBin, ["setup", tool, "--url", base, "--key", key, ...extra], { env, cwd: box.project })
  expect(setup.code, setup.stderr).toBe(0)
  const commands = commandsIn(join(box.home, settingsFile))
  const fire = async (event: string, payload: unknown, extraEnv: Record<string, string> = {}) => {
    later(box)
    const ran = await bash(commands[event]!, { cwd: box.project, env: { ...env, ...extraEnv }, stdin: JSON.stringify(payload) })
    expect(ran).toMatchObject({ code: 0, stdout: "" })
  }
  return { box, env, cm: new ClockMe({ apiKey: key, baseUrl: base }), setupOut: setup.stdout, fire }
}

/**
 * The hook handles the same event of a session once within 5 s (two configs loaded by one editor); a test firing
 * Stop again at once makes the earlier sighting older, as the seconds between two real turns would.
 */
const later = (box: { config: string }) => {
  const dir = join(box.config, "clockme", "seen")
  const past = new Date(Date.now() - 60_000)
  for (const name of existsSync(dir) ? readdirSync(dir) : []) utimesSync(join(dir, name), past, past)
}

const hookLog = (box: { config: string }) => {
  const file = join(box.config, "clockme", "hook.log")
  return existsSync(file) ? readFileSync(file, "utf8") : ""
}

const now = () => new Date().toISOString()

// ---- Claude Code transcript lines ----

const assistant = (session: string, requestId: string, messageId: string, usage: readonly [number, number, number, number], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    parentUuid: "p",
    isSidechain: false,
    userType: "external",
    cwd: "/work/acme-app",
    sessionId: session,
    version: "2.1.0",
    gitBranch: "main",
    type: "assistant",
    uuid: `${messageId}-${Math.random()}`,
    timestamp: now(),
    requestId,
    message: {
      id: messageId,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "done" }],
      stop_reason: null,
      usage: {
        input_tokens: usage[0],
        output_tokens: usage[1],
        cache_read_input_tokens: usage[2],
        cache_creation_input_tokens: usage[3],
        cache_creation: { ephemeral_5m_input_tokens: usage[3], ephemeral_1h_input_tokens: 0 },
        service_tier: "standard"
      }
    },
    ...extra
  })

const userLine = (session: string) =>
  JSON.stringify({ type: "user", sessionId: session, timestamp: now(), uuid: "u", message: { role: "user", content: "add a test" } })

/** claude-sonnet-4-5 below 200k input, dollars per million tokens: 3 in, 15 out, 0.30 cache read, 3.75 cache write. */
const sonnetCost = (t: readonly [number, number, number, number]) => (t[0] * 3 + t[1] * 15 + t[2] * 0.3 + t[3] * 3.75) / 1_000_000

const summed = (all: ReadonlyArray<readonly [number, number, number, number]>) => ({
  requests: all.length,
  inputTokens: all.reduce((n, t) => n + t[0], 0),
  outputTokens: all.reduce((n, t) => n + t[1], 0),
  cacheReadTokens: all.reduce((n, t) => n + t[2], 0),
  cacheCreationTokens: all.reduce((n, t) => n + t[3], 0),
  costUsd: Number(all.reduce((n, t) => n + sonnetCost(t), 0).toFixed(6)),
  models: ["claude-sonnet-4-5-20250929"],
  unpricedModels: []
})

// ---- Codex rollout lines ----

const tokenCount = (total: readonly [number, number, number] | undefined, last: readonly [number, number, number] | undefined) => {
  const usage = (u: readonly [number, number, number]) => ({
    input_tokens: u[0],
    cached_input_tokens: u[1],
    output_tokens: u[2],
    reasoning_output_tokens: Math.floor(u[2] / 4),
    total_tokens: u[0] + u[2]
  })
  return JSON.stringify({
    timestamp: now(),
    type: "event_msg",
    payload: {
      type: "token_count",
      info: { ...(total ? { total_token_usage: usage(total) } : {}), ...(last ? { last_token_usage: usage(last) } : {}), model_context_window: 272000 },
      rate_limits: null
    }
  })
}

const localDay = () => {
  const d = new Date()
  return [String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, "0"), String(d.getDate()).padStart(2, "0")]
}

layer(TestServer, { timeout: 300_000, excludeTestServices: true })("the hook sends the usage the tool recorded", (it) => {
  it.effect("Claude Code: each Stop sends exactly the transcript's new requests (a half-written line waits); a resend counts once; --usage writes the OpenTelemetry variables and uninstall removes exactly those", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const s = await install("claude-code", base, key, join(".claude", "settings.json"), ["--usage"])
        const settingsFile = join(s.box.home, ".claude", "settings.json")
        const settings = JSON.parse(readFileSync(settingsFile, "utf8"))
        expect(settings.env).toEqual({
          CLAUDE_CODE_ENABLE_TELEMETRY: "1",
          OTEL_LOGS_EXPORTER: "otlp",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}/api/otlp/v1/logs`,
          OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${key}`
        })
        expect(s.setupOut).toContain("each request counts once")

        const session = "cc-usage-1"
        const transcript = join(s.box.home, ".claude", "projects", "-work-acme-app", `${session}.jsonl`)
        mkdirSync(join(transcript, ".."), { recursive: true })
        const common = { session_id: session, transcript_path: transcript, cwd: s.box.project, permission_mode: "default" }
        await s.fire("session-start", { ...common, hook_event_name: "SessionStart", source: "startup" })

        const r1 = [12, 40, 9000, 700] as const
        const r2 = [3, 120, 9700, 0] as const
        const r3 = [5, 60, 9700, 300] as const
        const r4 = [2, 10, 10000, 0] as const
        writeFileSync(transcript, [
          userLine(session),
          // one response on two lines (a content block each); the last carries the final count
          assistant(session, "req_1", "msg_1", [12, 1, 9000, 700]),
          assistant(session, "req_1", "msg_1", r1),
          assistant(session, "req_2", "msg_2", r2),
          // an API error, and a line without a request id, are not requests
          assistant(session, "req_err", "msg_err", [0, 0, 0, 0], { isApiErrorMessage: true }),
          assistant(session, "", "msg_x", [100, 100, 100, 100]),
          ""
        ].join("\n"))
        const half = assistant(session, "req_3", "msg_3", r3)
        appendFileSync(transcript, half.slice(0, 80))
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false, last_assistant_message: "done" })
        const timer = (await s.cm.timer.current()).timers[0]!
        expect(timer.usage).toEqual(summed([r1, r2]))

        appendFileSync(transcript, [
          half.slice(80),
          // a sidechain replay of msg_1 under a new request id counts nothing
          assistant(session, "req_9", "msg_1", r1, { isSidechain: true }),
          assistant(session, "req_4", "msg_4", r4),
          ""
        ].join("\n"))
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false })
        expect((await s.cm.timer.current()).timers[0]!.usage).toEqual(summed([r1, r2, r3, r4]))

        // nothing new: nothing more; the saved offsets lost: all sent again, each counted once
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false })
        rmSync(join(s.box.home, ".clockme", "usage"), { recursive: true })
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false })
        expect((await s.cm.timer.current()).timers[0]!.usage).toEqual(summed([r1, r2, r3, r4]))

        await s.fire("session-end", { ...common, hook_event_name: "SessionEnd", reason: "prompt_input_exit" })
        const [entry] = (await s.cm.entries.list()).entries
        expect(entry!.timerId).toBe(timer.id)
        expect(entry!.usage).toEqual(summed([r1, r2, r3, r4]))
        expect(hookLog(s.box)).not.toContain("refused")
        expect(hookLog(s.box)).toContain("claude-code stop acme-app: heartbeat; 2 AI request(s) read from the tool's records")

        // uninstall removes exactly the variables setup wrote: the user's own stay
        writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, "utf8")), env: { ...settings.env, DISABLE_TELEMETRY_PROMPT: "1" } }))
        const removed = await runCli(cliBin, ["setup", "--uninstall", "claude-code"], { env: s.env, cwd: s.box.project })
        expect(removed.code, removed.stderr).toBe(0)
        expect(JSON.parse(readFileSync(settingsFile, "utf8")).env).toEqual({ DISABLE_TELEMETRY_PROMPT: "1" })
      })
    }))

  it.effect("Codex: token_count events from the rollout, per turn or by differences of the totals, then from the same rollout compressed to .jsonl.zst", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const s = await install("codex", base, key, join(".codex", "hooks.json"))
        const session = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
        const dir = join(s.box.home, ".codex", "sessions", ...localDay())
        mkdirSync(dir, { recursive: true })
        const rollout = join(dir, `rollout-2026-12-07T09-00-00-${session}.jsonl`)
        // Codex may send transcript_path as null: the hook finds the rollout by its session id
        const common = { session_id: session, transcript_path: null, cwd: s.box.project, model: "gpt-5-codex", turn_id: "t1" }
        await s.fire("session-start", { ...common, hook_event_name: "SessionStart", source: "startup" })
        writeFileSync(rollout, [
          JSON.stringify({ timestamp: now(), type: "session_meta", payload: { id: session, cwd: s.box.project, cli_version: "0.140.0" } }),
          JSON.stringify({ timestamp: now(), type: "turn_context", payload: { model: "gpt-5-codex", cwd: s.box.project } }),
          JSON.stringify({ timestamp: now(), type: "event_msg", payload: { type: "token_count", info: null, rate_limits: {} } }),
          tokenCount([1000, 600, 100], [1000, 600, 100]),
          // the same event twice is one turn
          tokenCount([1000, 600, 100], [1000, 600, 100]),
          // only totals: the difference is the turn (1500 in, 800 of them cached, 200 out)
          tokenCount([2500, 1400, 300], undefined),
          ""
        ].join("\n"))
        const third = tokenCount([3000, 1400, 350], [500, 0, 50])
        appendFileSync(rollout, third.slice(0, 50))
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false, last_assistant_message: "done" })
        const usage = (await s.cm.timer.current()).timers[0]!.usage
        expect(usage).toEqual({
          requests: 2,
          inputTokens: 400 + 700,
          outputTokens: 300,
          cacheReadTokens: 1400,
          cacheCreationTokens: 0,
          costUsd: 0,
          models: ["gpt-5-codex"],
          unpricedModels: ["gpt-5-codex"]
        })

        // the rest of the turn, then Codex compresses the idle rollout: the hook goes on at the same offset
        appendFileSync(rollout, third.slice(50) + "\n")
        execFileSync("zstd", ["-q", "--rm", rollout])
        expect(existsSync(`${rollout}.zst`)).toBe(true)
        await s.fire("stop", { ...common, hook_event_name: "Stop", stop_hook_active: false })
        expect((await s.cm.timer.current()).timers[0]!.usage).toMatchObject({ requests: 3, inputTokens: 1600, outputTokens: 350, cacheReadTokens: 1400 })

        // a second session whose rollout is only compressed, named by transcript_path without the .zst
        const other = "0199a1b2-c3d4-7e5f-8a9b-ffffffffffff"
        const second = join(dir, `rollout-2026-12-07T09-30-00-${other}.jsonl`)
        writeFileSync(second, [JSON.stringify({ timestamp: now(), type: "turn_context", payload: { model: "gpt-5" } }), tokenCount([700, 0, 70], [700, 0, 70]), ""].join("\n"))
        execFileSync("zstd", ["-q", "--rm", second])
        const common2 = { ...common, session_id: other, transcript_path: second }
        await s.fire("session-start", { ...common2, hook_event_name: "SessionStart", source: "startup" })
        await s.fire("stop", { ...common2, hook_event_name: "Stop", stop_hook_active: false })
        await s.fire("session-end", { ...common2, hook_event_name: "SessionEnd" })
        await s.fire("session-end", { ...common, hook_event_name: "SessionEnd" })
        const [entry] = (await s.cm.entries.list()).entries
        expect(entry!.usage).toMatchObject({
          requests: 4,
          inputTokens: 2300,
          outputTokens: 420,
          cacheReadTokens: 1400,
          models: ["gpt-5", "gpt-5-codex"]
        })
      })
    }))

  it.effect("Gemini CLI: tokens on gemini messages of the chat file (a message written again with its tokens counts once)", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const s = await install("gemini", base, key, join(".gemini", "settings.json"))
        const session = "5f0c2a9e-1111-4222-8333-944455556666"
        const chats = join(s.box.home, ".gemini", "tmp", "acme-app", "chats")
        mkdirSync(chats, { recursive: true })
        const file = join(chats, `session-2026-12-07T09-00-${session.slice(0, 8)}.jsonl`)
        const common = { session_id: session, transcript_path: file, cwd: s.box.project, timestamp: now() }
        const gemini = (id: string, tokens?: Record<string, number>) =>
          JSON.stringify({ id, timestamp: now(), type: "gemini", content: "ok", model: "gemini-2.5-pro", ...(tokens ? { tokens } : {}) })
        const env = { GEMINI_PROJECT_DIR: s.box.project, GEMINI_SESSION_ID: session, GEMINI_CWD: s.box.project }
        await s.fire("session-start", { ...common, hook_event_name: "SessionStart", source: "startup" }, env)
        writeFileSync(file, [
          JSON.stringify({ sessionId: session, projectHash: "acme-app", startTime: now(), lastUpdated: now(), kind: "main" }),
          JSON.stringify({ id: "u1", timestamp: now(), type: "user", content: "hi" }),
          gemini("g1"),
          gemini("g1", { input: 1000, output: 200, cached: 400, thoughts: 50, tool: 10, total: 1260 }),
          JSON.stringify({ $set: { lastUpdated: now() } }),
          ""
        ].join("\n"))
        const g2 = gemini("g2", { input: 2000, output: 100, cached: 1500, total: 2100 })
        appendFileSync(file, g2.slice(0, 30))
        await s.fire("stop", { ...common, hook_event_name: "AfterAgent" }, env)
        expect((await s.cm.timer.current()).timers[0]!.usage).toEqual({
          requests: 1,
          inputTokens: 610,
          outputTokens: 250,
          cacheReadTokens: 400,
          cacheCreationTokens: 0,
          costUsd: 0,
          models: ["gemini-2.5-pro"],
          unpricedModels: ["gemini-2.5-pro"]
        })
        appendFileSync(file, g2.slice(30) + "\n")
        await s.fire("session-end", { ...common, hook_event_name: "SessionEnd", reason: "exit" }, env)
        const [entry] = (await s.cm.entries.list()).entries
        expect(entry!.usage).toMatchObject({ requests: 2, inputTokens: 1110, outputTokens: 350, cacheReadTokens: 1900 })
      })
    }))

  it.effect("offline, the usage waits in the queue with its event and reaches the entry when the server answers again", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const s = await install("claude-code", base, key, join(".claude", "settings.json"))
        const session = "cc-offline-1"
        const transcript = join(s.box.home, "t.jsonl")
        const common = { session_id: session, transcript_path: transcript, cwd: s.box.project }
        await s.fire("session-start", { ...common, hook_event_name: "SessionStart", source: "startup" })
        const r1 = [10, 20, 30, 40] as const
        writeFileSync(transcript, assistant(session, "req_off_1", "msg_off_1", r1) + "\n")
        const down = { CLOCKME_URL: await closedPort() }
        await s.fire("stop", { ...common, hook_event_name: "Stop" }, down)
        expect(hookLog(s.box)).toMatch(/claude-code stop acme-app: queued/)
        const queued = readFileSync(join(s.box.config, "clockme", "queue.jsonl"), "utf8")
        expect(queued).toContain("request:req_off_1")
        await s.fire("stop", { ...common, hook_event_name: "Stop" }, down)
        // back: the queued stretch (with its usage) goes first, then the live event
        await s.fire("session-end", { ...common, hook_event_name: "SessionEnd" })
        expect(existsSync(join(s.box.config, "clockme", "queue.jsonl"))).toBe(false)
        const [entry] = (await s.cm.entries.list()).entries
        expect(entry!.usage).toEqual(summed([r1]))
      })
    }))

  it.effect("a server that refuses the usage field (an older one) still gets the heartbeat and stop: usage never costs the time", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        // the older server's own refusal: the real one, asked about a field it does not know
        const older = await standIn({
          upstream: base,
          answer: async (request) => {
            if (!request.body.includes("\"usage\"")) return "forward"
            const reply = await fetch(base + request.url, {
              method: request.method,
              headers: { authorization: String(request.headers.authorization), "content-type": "application/json" },
              body: request.body.replace("\"usage\"", "\"usageX\"")
            })
            return { status: reply.status, body: await reply.json() }
          }
        })
        try {
          const s = await install("claude-code", older.url, key, join(".claude", "settings.json"))
          const session = "cc-older-1"
          const transcript = join(s.box.home, "t.jsonl")
          const common = { session_id: session, transcript_path: transcript, cwd: s.box.project }
          await s.fire("session-start", { ...common, hook_event_name: "SessionStart", source: "startup" })
          writeFileSync(transcript, assistant(session, "req_old_1", "msg_old_1", [1, 2, 3, 4]) + "\n")
          await s.fire("stop", { ...common, hook_event_name: "Stop" })
          await s.fire("session-end", { ...common, hook_event_name: "SessionEnd" })
          expect(older.seen.filter((r) => r.body.includes("req_old_1")).map((r) => r.url)).toEqual(["/api/timer/heartbeat"])
          expect(hookLog(s.box)).toMatch(/claude-code stop acme-app: heartbeat \(usage refused: .*usage/)
          expect(hookLog(s.box)).toContain("claude-code session-end acme-app: stopped")
          const [entry] = (await s.cm.entries.list()).entries
          expect(entry!.usage!.requests).toBe(0)
        } finally {
          await older.close()
        }
      })
    }))

  it.effect("reading the usage keeps the hook within the bench's bound, even with megabytes of new transcript", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const s = await install("claude-code", base, key, join(".claude", "settings.json"))
        const stop = commandsIn(join(s.box.home, ".claude", "settings.json"))["stop"]!
        const env = { ...s.env, CLOCKME_URL: await closedPort(), CLOCKME_HOOK_BUDGET_MS: "", CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: "" }
        const runs = 7
        const hook: Array<Timing> = []
        const bare: Array<Timing> = []
        const node: Array<Timing> = []
        for (let i = 0; i < runs; i++) {
          const session = `bench-usage-${i}`
          const transcript = join(s.box.home, `${session}.jsonl`)
          const lines: Array<string> = []
          let size = 0
          // past the per-call bound: a long turn's requests among large tool results
          for (let n = 0; size < 5 * 1024 * 1024; n++) {
            const line = n % 3 === 0
              ? assistant(session, `req_${i}_${n}`, `msg_${i}_${n}`, [1, 2, 3, 4])
              : JSON.stringify({ type: "user", sessionId: session, message: { role: "user", content: [{ type: "tool_result", content: "x".repeat(1500) }] } })
            lines.push(line)
            size += line.length + 1
          }
          writeFileSync(transcript, lines.join("\n") + "\n")
          hook.push(await timed(stop, s.box.project, env, JSON.stringify({ session_id: session, transcript_path: transcript, cwd: s.box.project, hook_event_name: "Stop" })))
          bare.push(await timed(stop, s.box.project, env, JSON.stringify({ session_id: `${session}-none`, cwd: s.box.project, hook_event_name: "Stop" })))
          node.push(await timed(`"${process.execPath}" -e 0`, s.box.project, env, ""))
        }
        // each run read up to its bound and queued it: 500 requests
        const queue = readFileSync(join(s.box.config, "clockme", "queue.jsonl"), "utf8")
        expect(queue).toContain(`req_${runs - 1}_0"`)
        expect(queue).toContain(`req_${runs - 1}_1497"`)
        expect(queue).not.toContain(`req_${runs - 1}_1500"`)
        // The bench bounds the hook at 2× `node -e 0` and measured it at 1.32–1.54× (README): reading a call's
        // maximum of usage may add 30% to the same hook with nothing to read. CPU time, the best of each: on a
        // shared machine wall time mostly measures the other sessions.
        const best = (xs: Array<Timing>) => Math.min(...xs.map((t) => t.cpu))
        const shown = (xs: Array<Timing>) => xs.map((t) => `${Math.round(t.cpu)}/${Math.round(t.wall)}`).join(" ")
        expect(best(hook), `CPU/wall ms: with usage ${shown(hook)}; without ${shown(bare)}; node -e 0 ${shown(node)}`)
          .toBeLessThanOrEqual(1.3 * best(bare))
      })
    }))
})

interface Timing {
  readonly cpu: number
  readonly wall: number
}

/** CPU time (user and system, from bash's `times`) and wall time of `bash -c command` with the payload on stdin. */
const timed = (command: string, cwd: string, env: Record<string, string>, stdin: string) =>
  new Promise<Timing>((resolve) => {
    const started = performance.now()
    const child = spawn("bash", ["-c", `${command}; times`], { cwd, env, stdio: ["pipe", "pipe", "ignore"] })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.on("close", () => {
      const seconds = [...(out.trim().split("\n").pop() ?? "").matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]))
      resolve({ cpu: seconds.reduce((a, b) => a + b, 0) * 1000, wall: performance.now() - started })
    })
    child.stdin.end(stdin)
  })
