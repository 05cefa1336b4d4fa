import { expect, layer } from "@effect/vitest"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { Effect } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { beforeAll } from "vitest"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe } from "../src/index.js"
import { cliBin, sdkRoot } from "./lib/Cli.js"
import { bash, deleteNpxInstalls, installGlobally, installInto, npm, npmCache, pack, type Packed, repackNewer, repoRoot, run } from "./lib/Installs.js"

/** Packed and installed once for the file: `npm pack` builds each package, which takes a while. */
let sdk: Packed
let api: Packed
let app = ""
let globalBin = ""
let newer: { readonly tarball: string; readonly version: string }
beforeAll(async () => {
  const into = mkdtempSync(join(tmpdir(), "clockme-pack-"))
  await npm(["run", "types"], sdkRoot)
  sdk = await pack(sdkRoot, into)
  api = await pack(join(repoRoot, "packages", "api"), into)
  app = await installInto([sdk.tarball, api.tarball])
  globalBin = await installGlobally([sdk.tarball])
  newer = await repackNewer(sdk.tarball, into)
}, 900_000)

const SLOW = { timeout: 900_000 }

/** The hook file setup writes for each tool (user scope), the stdin each tool sends, and its environment. */
const TOOLS: Record<string, {
  readonly hooks: string
  readonly stdin: (event: string, session: string, project: string) => unknown
  readonly env: (session: string, project: string) => Record<string, string>
  readonly ends: boolean
}> = {
  "claude-code": {
    hooks: ".claude/settings.json",
    stdin: (event, session, project) => ({ session_id: session, transcript_path: "/tmp/t.jsonl", cwd: project, hook_event_name: event, source: "startup", prompt: "go", reason: "other" }),
    env: (_session, project) => ({ CLAUDE_PROJECT_DIR: project }),
    ends: true
  },
  cursor: {
    hooks: ".cursor/hooks.json",
    stdin: (event, session, project) => ({ conversation_id: session, session_id: session, generation_id: "g1", hook_event_name: event, workspace_roots: [project], cursor_version: "1.7.2", status: "completed", reason: "completed" }),
    env: (_session, project) => ({ CURSOR_PROJECT_DIR: project, CURSOR_VERSION: "1.7.2" }),
    ends: true
  },
  windsurf: {
    hooks: ".codeium/windsurf/hooks.json",
    stdin: (event, session) => ({ agent_action_name: event, trajectory_id: session, execution_id: "e1", timestamp: new Date().toISOString(), tool_info: { user_prompt: "go" } }),
    env: () => ({}),
    ends: false
  },
  gemini: {
    hooks: ".gemini/settings.json",
    stdin: (event, session, project) => ({ session_id: session, transcript_path: "/tmp/g.json", cwd: project, hook_event_name: event, timestamp: new Date().toISOString(), reason: "exit" }),
    env: (session, project) => ({ GEMINI_PROJECT_DIR: project, GEMINI_SESSION_ID: session, GEMINI_CWD: project }),
    ends: true
  },
  copilot: {
    hooks: ".copilot/hooks/clockme.json",
    stdin: (event, session, project) => /^[a-z]/.test(event)
      ? { timestamp: Date.now(), cwd: project, source: "new", prompt: "go", reason: "complete" }
      : { session_id: session, hook_event_name: event, cwd: project, timestamp: new Date().toISOString(), prompt: "go" },
    env: () => ({}),
    ends: true
  },
  codex: {
    hooks: ".codex/hooks.json",
    stdin: (event, session, project) => ({ session_id: session, transcript_path: null, cwd: project, hook_event_name: event, model: "gpt-5", turn_id: "t1", source: "startup" }),
    env: () => ({}),
    ends: true
  }
}

const ORDER = ["session-start", "prompt", "stop", "session-end"]

/** Every hook command in a tool's file, with the tool's name for its event, in the order a session fires them. */
const hookCommands = (file: string): Array<{ readonly event: string; readonly command: string }> => {
  const hooks = JSON.parse(readFileSync(file, "utf8")).hooks as Record<string, Array<any>>
  return Object.entries(hooks)
    .flatMap(([event, list]) => list.flatMap((h) => Array.isArray(h.hooks) ? h.hooks : [h]).map((h: any) => ({ event, command: String(h.command ?? h.bash) })))
    .filter((h) => / hook \S+ --tool /.test(h.command))
    .sort((a, b) => ORDER.indexOf(/ hook (\S+)/.exec(a.command)![1]!) - ORDER.indexOf(/ hook (\S+)/.exec(b.command)![1]!))
}

const cleanEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(CLOCKME_|CLAUDE_|CURSOR_|GEMINI_|npm_|NODE_OPTIONS$)/.test(k)) env[k] = v
  }
  return env
}

/** PATH without any `node_modules/.bin` (what a tool started from a desktop has), plus `extra`. */
const plainPath = (extra: ReadonlyArray<string> = []) =>
  [...extra, ...(process.env.PATH ?? "").split(delimiter).filter((d) => !d.includes("node_modules"))].join(delimiter)

layer(TestServer, { timeout: 900_000, excludeTestServices: true })("ClockMe as installed", (it) => {
  it.effect("the packed SDK: a plain script starts and stops a timer, with the contract's types", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        expect(sdk.files).toEqual(expect.arrayContaining(["dist/index.js", "dist/cli.js", "dist/mcp.js", "dist/index.d.ts"]))
        expect(sdk.files.some((f) => f.startsWith("src/") || f.startsWith("test/") || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toBe(false)
        const installed = readdirSync(join(app, "node_modules"))
        expect(installed).not.toContain("pg")
        expect(existsSync(join(app, "node_modules", "@effect", "sql"))).toBe(false)
        const manifest = JSON.parse(readFileSync(join(app, "node_modules", "@clockme", "sdk", "package.json"), "utf8"))
        expect(Object.keys(manifest.dependencies).sort()).toEqual(["@effect/platform", "effect"])

        writeFileSync(join(app, "script.mjs"), `
import { ClockMe, ClockMeError } from "@clockme/sdk"
const cm = new ClockMe()
const started = await cm.timer.start({ projectName: "packed-sdk", autoCreate: true })
const entry = await cm.timer.stop({ projectId: started.projectId })
let code
try { await cm.timer.stop() } catch (error) { code = error instanceof ClockMeError ? error.code : String(error) }
console.log(JSON.stringify({ project: started.projectName, timerId: started.id, entryTimer: entry.timerId, code }))
`)
        const output = await run(process.execPath, ["script.mjs"], { cwd: app, env: { ...process.env, CLOCKME_URL: base, CLOCKME_API_KEY: key } })
        const result = JSON.parse(output.trim())
        expect(result.project).toBe("packed-sdk")
        expect(result.entryTimer).toBe(result.timerId)
        expect(result.code).toBe("timer_not_running")

        writeFileSync(join(app, "check.ts"), `
import { ClockMe, ClockMeError, type ClockMeEvent } from "@clockme/sdk"
const cm = new ClockMe({ apiKey: "ck_live_x" })
export const reason = (event: ClockMeEvent): string => event.type === "timer.stopped" ? event.data.reason : event.type
// @ts-expect-error: events go by their names, not their class names
export const misnamed: ClockMeEvent["type"] = "TimerStopped"
export const run = async (): Promise<string> => {
  const timer = await cm.timer.start({ projectName: "x" })
  const projects = await cm.projects.list({ includeArchived: true })
  const e: ClockMeError | undefined = undefined
  return timer.projectName + projects.map((p) => p.name).join() + String(e)
}
// @ts-expect-error: the contract has no such field
cm.timer.start({ projectNmae: "typo" })
`)
        writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
          compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: true, types: [] },
          files: ["check.ts"]
        }))
        await run(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", app])
      })
    }), SLOW)

  it.effect("the three bins from the tarballs: clockme, clockme-mcp over stdio, clockme-server migrate and accounts create", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const bin = (name: string) => join(app, "node_modules", ".bin", name)
        expect((await run(bin("clockme"), ["--version"])).trim()).toBe("0.1.0")
        expect(await run(bin("clockme"), ["setup", "--help"])).toContain("--uninstall")
        expect((await run(join(globalBin, "clockme"), ["--version"])).trim()).toBe("0.1.0")

        const transport = new StdioClientTransport({ command: bin("clockme-mcp"), args: [], env: { ...cleanEnv(), CLOCKME_URL: base, CLOCKME_API_KEY: key }, stderr: "pipe" })
        const client = new Client({ name: "pack-test", version: "1.0.0" })
        await client.connect(transport)
        try {
          const tools = (await client.listTools()).tools.map((t) => t.name)
          expect(tools).toContain("clockme_start_timer")
        } finally {
          await client.close()
        }

        const dataDir = mkdtempSync(join(tmpdir(), "clockme-packed-data-"))
        // The packed server on its embedded database, whatever database this test run uses.
        const env: Record<string, string> = { ...cleanEnv(), CLOCKME_DATA_DIR: dataDir }
        delete env.DATABASE_URL
        const server = (args: ReadonlyArray<string>) => run(bin("clockme-server"), args, { cwd: app, env })
        // A new data directory starts from the migrated image the package ships (dist/pgdata-seed.tar.gz).
        expect(JSON.parse(await server(["migrate"]))).toEqual({ applied: [] })
        expect(readdirSync(join(dataDir, "pgdata"))).toContain("PG_VERSION")
        const account = JSON.parse(await server(["accounts", "create", "--email", "packed@example.com", "--plan", "pro"]))
        expect(account.user).toMatchObject({ email: "packed@example.com", plan: "pro" })
        expect(account.apiKey.secret).toMatch(/^ck_live_/)
        // every further command is the same bundle: api/test/cli.test.ts runs them from the built package
      })
    }), SLOW)

  it.effect("every tool set up through npx from the tarball in an empty HOME keeps tracking once the npx cache is deleted; setup from a newer tarball, the checkout, a project or a global install leaves every hook command byte for byte", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        const cache = await npmCache()
        const root = mkdtempSync(join(tmpdir(), "clockme-tools-"))
        const home = join(root, "home")
        mkdirSync(home)
        // npx with the user's empty HOME, but this machine's npm cache and settings (no network needed).
        const env = {
          ...cleanEnv(),
          HOME: home,
          XDG_CONFIG_HOME: join(home, ".config"),
          PATH: plainPath(),
          npm_config_cache: cache,
          npm_config_userconfig: join(process.env.HOME ?? "", ".npmrc"),
          npm_config_update_notifier: "false"
        }
        const npx = (tarball: string, tool: string) =>
          run("npx", ["--yes", "--prefer-offline", `--package=${tarball}`, "clockme", "setup", tool, "--key", key, "--url", base], { cwd: root, env })
        const hookFiles = () => Object.fromEntries(Object.entries(TOOLS).map(([tool, spec]) => [tool, readFileSync(join(home, spec.hooks), "utf8")]))
        const program = join(home, ".clockme", "bin", "clockme-hook.mjs")

        for (const tool of Object.keys(TOOLS)) await npx(sdk.tarball, tool)
        expect(deleteNpxInstalls(cache, sdk.tarball)).toBe(1)
        const written = hookFiles()
        for (const [tool, spec] of Object.entries(TOOLS)) {
          const commands = hookCommands(join(home, spec.hooks))
          expect(new Set(commands.map((c) => c.event)).size, tool).toBe(commands.length)
          for (const { command } of commands) expect(command.startsWith(`"${join(home, ".clockme", "bin", "clockme-hook")}" hook `), command).toBe(true)

          const project = join(root, "work", tool)
          mkdirSync(project, { recursive: true })
          const session = `${tool}-session`
          let projectId: string | undefined
          for (const { command, event } of commands) {
            const ran = await bash(command, { cwd: project, env: { ...env, ...spec.env(session, project) }, stdin: JSON.stringify(spec.stdin(event, session, project)) })
            expect(ran, `${tool} ${event}: ${command}\n${ran.stderr}`).toMatchObject({ code: 0, stdout: "" })
            const ends = / hook session-end /.test(command)
            const timers = (await cm.timer.current()).timers.filter((t) => t.projectName === tool)
            expect(timers.length, `${tool} after ${event}`).toBe(ends ? 0 : 1)
            if (!ends) {
              expect(timers[0]!.source).toBe("hook")
              projectId = timers[0]!.projectId
            }
          }
          const entries = (await cm.entries.list()).entries.filter((e) => e.projectId === projectId)
          expect(entries.length, tool).toBe(spec.ends ? 1 : 0)
        }

        // A later release replaces the program and no hook command.
        for (const tool of Object.keys(TOOLS)) await npx(newer.tarball, tool)
        expect(deleteNpxInstalls(cache, newer.tarball)).toBe(1)
        expect(readFileSync(program, "utf8").split("\n", 1)[0]).toBe(`// clockme-hook ${newer.version}`)
        expect(hookFiles()).toEqual(written)
        // Nor does setup from the other installs (which leave the newer program in place).
        const setup = async (clockme: ReadonlyArray<string>, path: string) => {
          const [file, ...args] = clockme
          await run(file!, [...args, "setup", "claude-code", "--key", key, "--url", base], { cwd: root, env: { ...env, PATH: path } })
        }
        await setup([process.execPath, cliBin], plainPath())
        await setup([join(app, "node_modules", ".bin", "clockme")], plainPath())
        await setup([join(globalBin, "clockme")], plainPath([globalBin]))
        expect(hookFiles()).toEqual(written)
        expect(readFileSync(program, "utf8").split("\n", 1)[0]).toBe(`// clockme-hook ${newer.version}`)

        // The updated program still tracks.
        const project = join(root, "work", "after-update")
        mkdirSync(project, { recursive: true })
        const claude = hookCommands(join(home, TOOLS["claude-code"]!.hooks))
        for (const [{ command, event }, running] of [[claude[0]!, 1], [claude.at(-1)!, 0]] as const) {
          const ran = await bash(command, { cwd: project, env: { ...env, CLAUDE_PROJECT_DIR: project }, stdin: JSON.stringify(TOOLS["claude-code"]!.stdin(event, "after-update", project)) })
          expect(ran, ran.stderr).toMatchObject({ code: 0, stdout: "" })
          expect((await cm.timer.current()).timers.filter((t) => t.projectName === "after-update").length, event).toBe(running)
        }
      })
    }), SLOW)
})
