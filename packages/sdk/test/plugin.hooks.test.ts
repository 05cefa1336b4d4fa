import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe } from "../src/index.js"
import { CODEX_PLUGIN_DIR, PLUGIN_DIR } from "../src/cli/Plugin.js"
import { type Tool, TOOL_RECORDS } from "../src/setup/ToolRecords.js"
import { sandbox } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"
import { copyPlugin, copyPluginFolder, handlersOf, runHandler } from "./lib/Plugins.js"

type Box = ReturnType<typeof sandbox>

/** What each host gives a plugin's hook: its stdin JSON per event, its variables, its folder. */
interface Host {
  readonly tool: Tool
  /** The hooks file inside the installed copy. */
  readonly hooksFile: string
  /** Copies the plugin as the host installs it; returns the installed folder. */
  readonly install: (box: Box) => string
  readonly placeholders: (root: string) => Record<string, string>
  /** The environment: plugin variables, and the key and URL where this host carries them. */
  readonly env: (root: string, box: Box, base: string, key: string) => Record<string, string>
  /** The hook's working folder (Cursor runs a plugin's commands from the plugin's folder). */
  readonly cwd: (root: string, box: Box) => string
  readonly payload: (event: string, session: string, box: Box) => Record<string, unknown>
}

// A cache path with a space, as on macOS ("Application Support"): the program's path must survive it.
const cache = (box: Box, host: string) => join(box.root, "Application Support", host, "plugins", "clockme")

/** `clockme login`'s file: Codex and Cursor plugins prompt for nothing, so the hook reads the stored key. */
const login = (box: Box, base: string, key: string) => {
  mkdirSync(join(box.config, "clockme"), { recursive: true })
  writeFileSync(join(box.config, "clockme", "config.json"), JSON.stringify({ url: base, apiKey: key }), { mode: 0o600 })
}

const hosts: ReadonlyArray<Host> = [
  {
    tool: "claude-code",
    hooksFile: "hooks/hooks.json",
    install: (box) => copyPluginFolder(PLUGIN_DIR, cache(box, "claude")),
    placeholders: (root) => ({ CLAUDE_PLUGIN_ROOT: root }),
    env: (root, box, base, key) => ({
      HOME: box.home,
      CLAUDE_PLUGIN_ROOT: root,
      CLAUDE_PLUGIN_DATA: join(box.home, ".claude", "plugins", "data", "clockme-clockme"),
      CLAUDE_PLUGIN_OPTION_SERVER_URL: base,
      CLAUDE_PLUGIN_OPTION_API_KEY: key,
      CLAUDE_PROJECT_DIR: box.project
    }),
    cwd: (_root, box) => box.project,
    payload: (event, session, box) => ({
      session_id: session,
      transcript_path: join(box.home, ".claude", "projects", "p", `${session}.jsonl`),
      cwd: box.project,
      permission_mode: "default",
      hook_event_name: event,
      ...{
        SessionStart: { source: "startup", model: "claude-sonnet-4-5" },
        UserPromptSubmit: { prompt: "add a test" },
        Stop: { stop_hook_active: false, last_assistant_message: "done" },
        SessionEnd: { reason: "prompt_input_exit" }
      }[event]
    })
  },
  {
    tool: "cursor",
    hooksFile: "hooks/cursor.json",
    install: (box) => copyPluginFolder(PLUGIN_DIR, cache(box, "cursor")),
    placeholders: () => ({}),
    env: (_root, box, base, key) => {
      login(box, base, key)
      return { HOME: box.home, CURSOR_PROJECT_DIR: box.project, CURSOR_VERSION: "2.5.1" }
    },
    cwd: (root) => root,
    payload: (event, session, box) => ({
      conversation_id: session,
      generation_id: "gen-1",
      model: "gpt-5",
      hook_event_name: event,
      cursor_version: "2.5.1",
      workspace_roots: [box.project],
      user_email: "dev@example.com",
      transcript_path: null,
      ...{
        sessionStart: { session_id: session, is_background_agent: false, composer_mode: "agent" },
        beforeSubmitPrompt: { prompt: "add a test", attachments: [] },
        stop: { status: "completed", loop_count: 0 },
        sessionEnd: { session_id: session, reason: "completed", duration_ms: 60_000, is_background_agent: false, final_status: "completed" }
      }[event]
    })
  },
  {
    tool: "codex",
    hooksFile: "hooks/hooks.json",
    install: (box) => copyPluginFolder(CODEX_PLUGIN_DIR, cache(box, "codex")),
    placeholders: () => ({}),
    env: (root, box, base, key) => {
      login(box, base, key)
      return { HOME: box.home, PLUGIN_ROOT: root }
    },
    cwd: (_root, box) => box.project,
    payload: (event, session, box) => ({
      session_id: session,
      transcript_path: null,
      cwd: box.project,
      hook_event_name: event,
      model: "gpt-5-codex",
      permission_mode: "default",
      ...{
        SessionStart: { source: "startup" },
        UserPromptSubmit: { prompt: "add a test", turn_id: "t1" },
        Stop: { turn_id: "t1", stop_hook_active: false, last_assistant_message: "done" },
        SessionEnd: {}
      }[event]
    })
  },
  {
    tool: "gemini",
    hooksFile: "hooks/hooks.json",
    // The extension is the repository; `gemini extensions install` copies it to ~/.gemini/extensions/clockme.
    install: (box) => copyPlugin(join(box.home, ".gemini", "extensions", "clockme"), ["gemini-extension.json", "hooks", PLUGIN_DIR]),
    placeholders: (root) => ({ extensionPath: root, "/": "/" }),
    // Extensions get only safe variables and the declared settings' envVars.
    env: (_root, box, base, key) => ({ HOME: box.home, CLOCKME_URL: base, CLOCKME_API_KEY: key }),
    cwd: (_root, box) => box.project,
    payload: (event, session, box) => ({
      session_id: session,
      transcript_path: join(box.home, ".gemini", "tmp", "p", "chats", "session.jsonl"),
      cwd: box.project,
      hook_event_name: event,
      timestamp: new Date().toISOString(),
      ...{
        SessionStart: { source: "startup" },
        BeforeAgent: { prompt: "add a test" },
        AfterAgent: { prompt: "add a test", prompt_response: "done", stop_hook_active: false },
        SessionEnd: { reason: "exit" }
      }[event]
    })
  }
]

/** Loaded machines: the budgets raised as a user can (hook.test.ts keeps the defaults). */
const budgets = { CLOCKME_HOOK_BUDGET_MS: "10000", CLAUDE_CODE_SESSIONEND_HOOKS_TIMEOUT_MS: "10000" }

const hookLog = (box: Box) => {
  const file = join(box.config, "clockme", "hook.log")
  return existsSync(file) ? readFileSync(file, "utf8") : ""
}

layer(TestServer, { timeout: 300_000, excludeTestServices: true })("the plugins' hooks on a real server", (it) => {
  for (const host of hosts) {
    it.effect(`${TOOL_RECORDS[host.tool].label}: each command of the plugin's hooks file starts, beats and stops a timer`, () =>
      Effect.gen(function*() {
        const base = yield* baseUrl
        const { key } = yield* signUp()
        yield* Effect.promise(async () => {
          const box = sandbox()
          const root = host.install(box)
          const document = JSON.parse(readFileSync(join(root, host.hooksFile), "utf8"))
          const cm = new ClockMe({ apiKey: key, baseUrl: base })
          const session = `${host.tool}-plugin-session`
          const env = { ...host.env(root, box, base, key), XDG_CONFIG_HOME: box.config, ...budgets }
          const run = async (name: string) => {
            const handlers = handlersOf(document, name)
            expect(handlers.length, name).toBe(1)
            const result = await runHandler({
              handler: handlers[0],
              placeholders: host.placeholders(root),
              env,
              cwd: host.cwd(root, box),
              stdin: JSON.stringify(host.payload(name, session, box))
            })
            expect([result.code, result.stdout, result.stderr], name).toEqual([0, "", ""])
          }
          const [start, prompt, stop, end] = TOOL_RECORDS[host.tool].hooks.events.map((e) => e.name)
          await run(start!)
          const running = (await cm.timer.current()).timers
          expect(running.map((t) => [t.projectName, t.source, t.description])).toEqual([["acme-app", "hook", `${TOOL_RECORDS[host.tool].label} session`]])
          await run(prompt!)
          await run(stop!)
          expect((await cm.timer.current()).timers.map((t) => t.id)).toEqual([running[0]!.id])
          await run(end!)
          expect((await cm.timer.current()).timers).toEqual([])
          expect((await cm.entries.list()).entries.map((e) => e.timerId)).toEqual([running[0]!.id])
          const log = hookLog(box)
          for (const line of ["session-start acme-app: started acme-app", "prompt acme-app: heartbeat", "stop acme-app: heartbeat", "session-end acme-app: stopped acme-app"]) {
            expect(log).toContain(`${host.tool} ${line}`)
          }
        })
      }))
  }

  it.effect("Claude Code with both the setup hooks and the plugin: one session is one timer, each event sent once", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const claude = hosts[0]!
        const setupEnv = { HOME: box.home, XDG_CONFIG_HOME: box.config }
        expect((await runInProcess(["setup", "claude-code", "--key", key, "--url", base], { env: setupEnv })).code).toBe(0)
        const settings = JSON.parse(readFileSync(join(box.home, ".claude", "settings.json"), "utf8"))
        const root = claude.install(box)
        const plugin = JSON.parse(readFileSync(join(root, claude.hooksFile), "utf8"))
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        const session = "both-installed-session"
        // Claude Code runs every matching handler of every source at once; the plugin's copy "stays separate".
        for (const spec of TOOL_RECORDS["claude-code"].hooks.events) {
          const stdin = JSON.stringify(claude.payload(spec.name, session, box))
          const results = await Promise.all([
            ...handlersOf(settings, spec.name).map((handler) =>
              runHandler({ handler, placeholders: {}, env: { ...setupEnv, CLAUDE_PROJECT_DIR: box.project, ...budgets }, cwd: box.project, stdin })
            ),
            ...handlersOf(plugin, spec.name).map((handler) =>
              runHandler({ handler, placeholders: claude.placeholders(root), env: { ...claude.env(root, box, base, key), ...setupEnv, ...budgets }, cwd: box.project, stdin })
            )
          ])
          expect(results.map((r) => [r.code, r.stdout, r.stderr])).toEqual([[0, "", ""], [0, "", ""]])
          if (spec.event === "session-start") expect((await cm.timer.current()).timers.length).toBe(1)
        }
        expect((await cm.timer.current()).timers).toEqual([])
        expect((await cm.entries.list()).entries.length).toBe(1)
        const log = hookLog(box)
        for (const event of ["session-start", "prompt", "stop", "session-end"]) {
          expect(log.match(new RegExp(`claude-code ${event}: ignored duplicate for session ${session}`, "g"))?.length, event).toBe(1)
          expect(log.match(new RegExp(`claude-code ${event} acme-app: `, "g"))?.length, event).toBe(1)
        }
      })
    }))
})
