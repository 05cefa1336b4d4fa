import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe } from "../src/index.js"
import { cliBin, closedPort, runCli, sandbox } from "./lib/Cli.js"

const cli = cliBin

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()

/** Lifecycle tests raise the hooks' budgets as a user can, so a loaded machine cannot make them flaky; the budget test below keeps the default 1.5 s. */
const hookRun = (event: string, tool: string, payload: unknown, env: Record<string, string | undefined>) =>
  runCli(cli, ["hook", event, "--tool", tool, "--auto-create"], {
    env: { CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: "10000", CLOCKME_HOOK_BUDGET_MS: "10000", ...env },
    stdin: typeof payload === "string" ? payload : JSON.stringify(payload)
  })

const expectQuiet = (run: { code: number | null; stdout: string }) => {
  expect(run.code).toBe(0)
  expect(run.stdout).toBe("")
}

const hookLog = (config: string) => {
  const file = join(config, "clockme", "hook.log")
  return existsSync(file) ? readFileSync(file, "utf8") : ""
}

layer(TestServer, { timeout: 300_000, excludeTestServices: true })("clockme hook", (it) => {
  it.effect("Claude Code: SessionStart starts, prompts and Stop keep it running, SessionEnd stops it", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_URL: base, CLOCKME_API_KEY: key, CLAUDE_PROJECT_DIR: box.project }
        const common = { session_id: "cc-session-1", transcript_path: join(box.home, "t.jsonl"), cwd: join(box.project, "src"), permission_mode: "default" }
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        // the session's working directory is on a branch: the hook reads it from .git/HEAD
        mkdirSync(join(box.project, ".git"), { recursive: true })
        writeFileSync(join(box.project, ".git", "HEAD"), "ref: refs/heads/fix-login\n")

        expectQuiet(await hookRun("session-start", "claude-code", { ...common, hook_event_name: "SessionStart", source: "startup", model: "claude-sonnet-4-5" }, env))
        const running = await cm.timer.current()
        expect(running.timers.map((t) => [t.projectName, t.source, t.description])).toEqual([["acme-app", "hook", "Claude Code session"]])

        expectQuiet(await hookRun("prompt", "claude-code", { ...common, hook_event_name: "UserPromptSubmit", prompt: "add a test" }, env))
        expectQuiet(await hookRun("stop", "claude-code", { ...common, hook_event_name: "Stop", stop_hook_active: false, last_assistant_message: "done" }, env))
        const still = await cm.timer.current()
        expect(still.timers.map((t) => t.id)).toEqual([running.timers[0]!.id])

        expectQuiet(await hookRun("session-end", "claude-code", { ...common, hook_event_name: "SessionEnd", reason: "prompt_input_exit" }, env))
        expect((await cm.timer.current()).timers).toEqual([])
        const entries = (await cm.entries.list()).entries
        expect(entries.map((e) => [e.timerId, e.source, e.gitBranch])).toEqual([[running.timers[0]!.id, "hook", "fix-login"]])
        expect(hookLog(box.config)).toContain("claude-code session-end acme-app: stopped")
      })
    }))

  it.effect("Cursor (git repository name), and Claude Code's copy of the event inside Cursor is ignored", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const repo = join(box.root, "checkouts", "ws")
        mkdirSync(join(repo, ".git"), { recursive: true })
        writeFileSync(join(repo, ".git", "config"), `[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/widget-service.git\n`)
        mkdirSync(join(box.home, ".cursor"), { recursive: true })
        writeFileSync(join(box.home, ".cursor", "hooks.json"), JSON.stringify({ version: 1, hooks: { sessionStart: [{ command: "clockme hook session-start --tool cursor --auto-create" }] } }))
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_URL: base, CLOCKME_API_KEY: key }
        const common = {
          conversation_id: "cur-conv-1",
          generation_id: "gen-1",
          model: "gpt-5",
          cursor_version: "1.7.2",
          workspace_roots: [repo],
          user_email: "dev@example.com",
          transcript_path: null
        }
        const cm = new ClockMe({ apiKey: key, baseUrl: base })

        expectQuiet(await hookRun("session-start", "cursor", { ...common, hook_event_name: "sessionStart", session_id: "cur-conv-1", is_background_agent: false, composer_mode: "agent" }, env))
        const duplicate = await hookRun("session-start", "claude-code", { ...common, session_id: "cur-conv-1", hook_event_name: "SessionStart", source: "startup", cwd: repo }, { ...env, CURSOR_VERSION: "1.7.2" })
        expectQuiet(duplicate)
        expect(hookLog(box.config)).toContain("ignored, cursor runs its own clockme hooks")
        const current = await cm.timer.current()
        expect(current.timers.map((t) => [t.projectName, t.description])).toEqual([["widget-service", "Cursor session"]])

        expectQuiet(await hookRun("prompt", "cursor", { ...common, hook_event_name: "beforeSubmitPrompt", prompt: "refactor", attachments: [] }, env))
        expectQuiet(await hookRun("stop", "cursor", { ...common, hook_event_name: "stop", status: "completed", loop_count: 0 }, env))
        expectQuiet(await hookRun("session-end", "cursor", { ...common, hook_event_name: "sessionEnd", session_id: "cur-conv-1", reason: "completed", duration_ms: 5000, is_background_agent: false, final_status: "completed" }, env))
        expect((await cm.timer.current()).timers).toEqual([])
        expect((await cm.entries.list()).entries.length).toBe(1)
      })
    }))

  it.effect("Gemini CLI and Copilot CLI payloads start and stop timers", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_URL: base, CLOCKME_API_KEY: key }
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        const gemini = { session_id: "gem-1", transcript_path: "/tmp/g.json", cwd: box.project }
        expectQuiet(await hookRun("session-start", "gemini", { ...gemini, hook_event_name: "SessionStart", timestamp: new Date().toISOString(), source: "startup" }, env))
        expectQuiet(await hookRun("prompt", "gemini", { ...gemini, hook_event_name: "BeforeAgent", timestamp: new Date().toISOString(), prompt: "hi" }, env))
        expectQuiet(await hookRun("stop", "gemini", { ...gemini, hook_event_name: "AfterAgent", timestamp: new Date().toISOString(), prompt: "hi", prompt_response: "hello", stop_hook_active: false }, env))
        expect((await cm.timer.current()).timers.map((t) => [t.projectName, t.description])).toEqual([["acme-app", "Gemini CLI session"]])
        expectQuiet(await hookRun("session-end", "gemini", { ...gemini, hook_event_name: "SessionEnd", timestamp: new Date().toISOString(), reason: "exit" }, env))
        expect((await cm.timer.current()).timers).toEqual([])

        const other = join(box.root, "work", "copilot-demo")
        mkdirSync(other, { recursive: true })
        expectQuiet(await hookRun("session-start", "copilot", { timestamp: Date.now(), cwd: other, source: "new", initialPrompt: "Create a feature" }, env))
        expectQuiet(await hookRun("prompt", "copilot", { timestamp: Date.now(), cwd: other, prompt: "more" }, env))
        expect((await cm.timer.current()).timers.map((t) => [t.projectName, t.description])).toEqual([["copilot-demo", "Copilot session"]])
        expectQuiet(await hookRun("session-end", "copilot", { timestamp: Date.now(), cwd: other, reason: "complete" }, env))
        expect((await cm.timer.current()).timers).toEqual([])
        const entries = (await cm.entries.list()).entries
        expect(entries.length).toBe(2)
        expect(entries.every((e) => e.source === "hook")).toBe(true)
      })
    }))

  it.effect("with the server down, events queue in order and `clockme sync` logs them with their original times", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const down = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_URL: await closedPort(), CLOCKME_API_KEY: key }
        const gemini = { session_id: "gem-offline", transcript_path: "/tmp/g.json", cwd: box.project }
        const t0 = ago(40)
        const t1 = ago(30)
        const t2 = ago(20)
        for (const [event, name, at] of [["session-start", "SessionStart", t0], ["prompt", "BeforeAgent", t1], ["session-end", "SessionEnd", t2]] as const) {
          expectQuiet(await hookRun(event, "gemini", { ...gemini, hook_event_name: name, timestamp: at }, down))
        }
        const queued = readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
        expect(queued.map((e) => [e.event, e.at, e.projectName])).toEqual([["session-start", t0, "acme-app"], ["prompt", t1, "acme-app"], ["session-end", t2, "acme-app"]])

        const offlineSync = await runCli(cli, ["sync"], { env: down })
        expect(offlineSync.code).toBe(1)
        expect(readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8").trim().split("\n").length).toBe(3)

        const up = { ...down, CLOCKME_URL: base }
        const sync = await runCli(cli, ["sync", "--json"], { env: up })
        expect(sync.code).toBe(0)
        expect(JSON.parse(sync.stdout)).toMatchObject({ sent: 3, left: 0 })
        expect(existsSync(join(box.config, "clockme", "queue.jsonl"))).toBe(false)
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        const entries = (await cm.entries.list()).entries
        expect(entries.map((e) => [e.startTime, e.endTime, e.source])).toEqual([[t0, t2, "hook"]])
        expect((await cm.projects.list()).map((p) => p.name)).toEqual(["acme-app"])

        const again = await runCli(cli, ["sync"], { env: up })
        expect(again.code).toBe(0)
        expect((await cm.entries.list()).entries.length).toBe(1)
      })
    }))

  it.effect("the next hook call flushes the queue first: a session started offline runs from its queued start", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_API_KEY: key, CLAUDE_PROJECT_DIR: box.project }
        const common = { session_id: "cc-offline", transcript_path: "/tmp/t.jsonl", cwd: box.project }
        expectQuiet(await hookRun("session-start", "claude-code", { ...common, hook_event_name: "SessionStart", source: "startup" }, { ...env, CLOCKME_URL: await closedPort() }))
        const queued = JSON.parse(readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8").trim())
        await new Promise((resolve) => setTimeout(resolve, 1200))
        expectQuiet(await hookRun("prompt", "claude-code", { ...common, hook_event_name: "UserPromptSubmit", prompt: "go" }, { ...env, CLOCKME_URL: base }))
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        expect((await cm.entries.list()).entries).toEqual([])
        const timers = (await cm.timer.current()).timers
        expect(timers.map((t) => [t.projectName, t.startedAt]), hookLog(box.config)).toEqual([["acme-app", queued.at]])
        expect(Date.parse(timers[0]!.lastActivityAt)).toBeGreaterThan(Date.parse(queued.at))
        expect(existsSync(join(box.config, "clockme", "queue.jsonl"))).toBe(false)
      })
    }))

  it.effect("never fails the tool: garbage stdin, no key, and a server that never answers all exit 0 within the budget: SessionEnd inside Claude Code's 1.5 s, every other event inside Gemini's 5 s", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      yield* Effect.promise(async () => {
        const box = sandbox()
        // What starting the hook path costs on this machine right now: a hook that returns at once.
        const starts = [await runCli(cli, ["hook", "no-such-event"], { env: { HOME: box.home } }), await runCli(cli, ["hook", "no-such-event"], { env: { HOME: box.home } })]
        const startup = Math.max(...starts.map((r) => r.ms))
        const silent = createServer(() => {})
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
        const hang = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
        try {
          // The default budgets: neither Claude Code's SessionEnd setting nor ClockMe's own.
          const env = { HOME: box.home, XDG_CONFIG_HOME: box.config, CLOCKME_URL: hang, CLOCKME_API_KEY: "ck_live_x", CLAUDE_PROJECT_DIR: box.project, CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: undefined, CLOCKME_HOOK_BUDGET_MS: undefined }
          const end = await hookRun("session-end", "claude-code", { session_id: "slow", hook_event_name: "SessionEnd", reason: "other" }, env)
          expectQuiet(end)
          // Claude Code gives all SessionEnd hooks 1.5 s together; the hook gives itself 1.2 s.
          expect(end.ms - startup).toBeLessThan(1500)
          expect(readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8")).toContain("\"session-end\"")

          // The others give themselves 4 s; the tightest timeout setup writes for them is Gemini's 5 s.
          const others = await Promise.all((["session-start", "prompt", "stop"] as const).map((event) =>
            hookRun(event, "claude-code", { session_id: `slow-${event}`, hook_event_name: event, prompt: "go" }, env)
          ))
          for (const run of others) {
            expectQuiet(run)
            expect(run.ms - startup).toBeLessThan(5000)
          }
          const queued = readFileSync(join(box.config, "clockme", "queue.jsonl"), "utf8")
          for (const event of ["session-start", "prompt", "stop"]) expect(queued).toContain(`"${event}"`)

          expectQuiet(await hookRun("prompt", "claude-code", "this is not json", { ...env, CLOCKME_URL: base }))
          expectQuiet(await hookRun("session-start", "claude-code", {}, { HOME: box.home, XDG_CONFIG_HOME: join(box.root, "empty"), CLOCKME_URL: base }))
        } finally {
          silent.closeAllConnections()
          silent.close()
        }
      })
    }))
})
