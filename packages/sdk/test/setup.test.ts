import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parse as parseToml } from "smol-toml"
import { cliBin, runCli, sandbox, sdkRoot } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"

const KEY = "ck_live_setupTestKey000000000001"
const URL = "http://127.0.0.1:8787"
const MCP = `${URL}/api/mcp`
const cmd = (tool: string, event: string) => `clockme hook ${event} --tool ${tool} --auto-create`

// The files setup writes are the subject here, so most cases run the CLI in this process; the hooks' command
// and a usage error run the built CLI as a tool would (the packed install's setup and hooks: pack.test.ts).
const cli = cliBin

type Files = Record<string, unknown>

/** What a fresh setup writes for each tool (user scope), file by file relative to HOME. */
const fresh: Record<string, Files> = {
  "claude-code": {
    ".claude.json": { mcpServers: { clockme: { type: "http", url: MCP, headers: { Authorization: `Bearer ${KEY}` } } } },
    ".claude/settings.json": {
      hooks: {
        SessionStart: [{ matcher: "startup|resume|clear|compact", hooks: [{ type: "command", command: cmd("claude-code", "session-start"), timeout: 10 }] }],
        UserPromptSubmit: [{ hooks: [{ type: "command", command: cmd("claude-code", "prompt"), async: true, timeout: 10 }] }],
        Stop: [{ hooks: [{ type: "command", command: cmd("claude-code", "stop"), async: true, timeout: 10 }] }],
        SessionEnd: [{ hooks: [{ type: "command", command: cmd("claude-code", "session-end") }] }]
      }
    }
  },
  cursor: {
    ".cursor/mcp.json": { mcpServers: { clockme: { url: MCP, headers: { Authorization: `Bearer ${KEY}` } } } },
    ".cursor/hooks.json": {
      version: 1,
      hooks: {
        sessionStart: [{ command: cmd("cursor", "session-start"), timeout: 10 }],
        beforeSubmitPrompt: [{ command: cmd("cursor", "prompt"), timeout: 10 }],
        stop: [{ command: cmd("cursor", "stop"), timeout: 10 }],
        sessionEnd: [{ command: cmd("cursor", "session-end"), timeout: 10 }]
      }
    }
  },
  windsurf: {
    ".codeium/windsurf/mcp_config.json": { mcpServers: { clockme: { serverUrl: MCP, headers: { Authorization: `Bearer ${KEY}` } } } },
    ".codeium/windsurf/hooks.json": {
      hooks: {
        pre_user_prompt: [{ command: cmd("windsurf", "prompt"), show_output: false }],
        post_cascade_response: [{ command: cmd("windsurf", "stop"), show_output: false }]
      }
    }
  },
  gemini: {
    ".gemini/settings.json": {
      mcpServers: { clockme: { httpUrl: MCP, headers: { Authorization: `Bearer ${KEY}` } } },
      hooks: {
        SessionStart: [{ matcher: "*", hooks: [{ name: "clockme", type: "command", command: cmd("gemini", "session-start"), timeout: 5000 }] }],
        BeforeAgent: [{ matcher: "*", hooks: [{ name: "clockme", type: "command", command: cmd("gemini", "prompt"), timeout: 5000 }] }],
        AfterAgent: [{ matcher: "*", hooks: [{ name: "clockme", type: "command", command: cmd("gemini", "stop"), timeout: 5000 }] }],
        SessionEnd: [{ matcher: "*", hooks: [{ name: "clockme", type: "command", command: cmd("gemini", "session-end"), timeout: 2000 }] }]
      }
    }
  },
  copilot: {
    ".copilot/mcp-config.json": { mcpServers: { clockme: { type: "http", url: MCP, headers: { Authorization: `Bearer ${KEY}` } } } },
    ".config/Code/User/mcp.json": { servers: { clockme: { type: "http", url: MCP, headers: { Authorization: `Bearer ${KEY}` } } } },
    ".copilot/hooks/clockme.json": {
      version: 1,
      hooks: Object.fromEntries(
        ([["sessionStart", "session-start"], ["userPromptSubmitted", "prompt"], ["agentStop", "stop"], ["sessionEnd", "session-end"], ["UserPromptSubmit", "prompt"], ["Stop", "stop"]] as const)
          .map(([name, event]) => [name, [{ type: "command", bash: cmd("copilot", event), powershell: cmd("copilot", event), command: cmd("copilot", event), timeoutSec: 10, timeout: 10 }]])
      )
    }
  },
  codex: {
    ".codex/config.toml": { mcp_servers: { clockme: { url: MCP, bearer_token_env_var: "CLOCKME_API_KEY" } } },
    ".codex/hooks.json": {
      hooks: {
        SessionStart: [{ matcher: "startup|resume|clear", hooks: [{ type: "command", command: cmd("codex", "session-start"), timeout: 10 }] }],
        UserPromptSubmit: [{ hooks: [{ type: "command", command: cmd("codex", "prompt"), timeout: 10 }] }],
        Stop: [{ hooks: [{ type: "command", command: cmd("codex", "stop"), timeout: 10 }] }],
        SessionEnd: [{ hooks: [{ type: "command", command: cmd("codex", "session-end"), timeout: 2 }] }]
      }
    }
  }
}

const userHook = { type: "command", command: "say done" }
/** The user's own settings in each file before setup: they must survive setup and uninstall untouched. */
const existing: Record<string, Record<string, string>> = {
  "claude-code": {
    ".claude.json": JSON.stringify({ numStartups: 7, mcpServers: { github: { type: "http", url: "https://example.test/mcp" } } }, null, 2),
    ".claude/settings.json": JSON.stringify({
      model: "opus",
      hooks: {
        Stop: [{ hooks: [userHook] }],
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "audit.sh" }] }]
      }
    }, null, 2)
  },
  cursor: {
    ".cursor/mcp.json": JSON.stringify({ mcpServers: { linear: { url: "https://example.test/linear" } } }),
    ".cursor/hooks.json": JSON.stringify({ version: 1, hooks: { stop: [{ command: "notify.sh" }], afterFileEdit: [{ command: "fmt.sh" }] } })
  },
  windsurf: {
    ".codeium/windsurf/mcp_config.json": JSON.stringify({ mcpServers: { docs: { serverUrl: "https://example.test/docs" } } }),
    ".codeium/windsurf/hooks.json": JSON.stringify({ hooks: { pre_user_prompt: [{ command: "scan.sh", show_output: true }] } })
  },
  gemini: {
    ".gemini/settings.json": JSON.stringify({
      theme: "GitHub",
      mcpServers: { local: { command: "node", args: ["server.js"] } },
      hooks: { BeforeTool: [{ matcher: "write_file", hooks: [{ name: "lint", type: "command", command: "lint.sh", timeout: 3000 }] }] }
    })
  },
  copilot: {
    ".copilot/mcp-config.json": JSON.stringify({ mcpServers: { gh: { type: "http", url: "https://example.test/gh" } } }),
    ".config/Code/User/mcp.json": JSON.stringify({ servers: { mine: { type: "stdio", command: "mine" } } }),
    ".copilot/hooks/clockme.json": JSON.stringify({ version: 1, hooks: { preToolUse: [{ type: "command", bash: "guard.sh" }] } })
  },
  codex: {
    ".codex/config.toml": `# my codex settings\nmodel = "gpt-5"\n\n[mcp_servers.docs]\nurl = "https://example.test/docs"\n`,
    ".codex/hooks.json": JSON.stringify({ hooks: { Stop: [{ hooks: [{ type: "command", command: "ding.sh" }] }] } })
  }
}

const parseFile = (file: string) => file.endsWith(".toml") ? parseToml(readFileSync(file, "utf8")) : JSON.parse(readFileSync(file, "utf8"))

const setupEnv = (home: string) => ({ HOME: home, XDG_CONFIG_HOME: join(home, ".config") })

const merged = (user: any, ours: any): any => {
  if (Array.isArray(user) && Array.isArray(ours)) return [...user, ...ours]
  if (user && ours && typeof user === "object" && typeof ours === "object") {
    const out: any = { ...user }
    for (const [k, v] of Object.entries(ours)) out[k] = k in user ? merged(user[k], v) : v
    return out
  }
  return ours
}

describe("clockme setup", () => {
  for (const tool of Object.keys(fresh)) {
    it(`${tool}: fresh files, idempotent second run, backups and uninstall`, { timeout: 120_000 }, async () => {
      const box = sandbox()
      const env = setupEnv(box.home)
      const first = await runInProcess(["setup", tool, "--key", KEY, "--url", URL, "--command", "clockme"], { env, cwd: box.project })
      expect(first.code).toBe(0)
      expect(first.stdout).toContain("+++")
      expect(first.stdout).not.toContain(KEY)
      for (const [rel, expected] of Object.entries(fresh[tool]!)) {
        expect(parseFile(join(box.home, rel)), rel).toEqual(expected)
      }
      const config = join(box.config, "clockme", "config.json")
      expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({ url: URL, apiKey: KEY })
      expect(statSync(config).mode & 0o777).toBe(0o600)
      for (const [rel] of Object.entries(fresh[tool]!)) {
        if (readFileSync(join(box.home, rel), "utf8").includes(KEY)) expect(statSync(join(box.home, rel)).mode & 0o777).toBe(0o600)
      }

      const snapshot = Object.fromEntries(Object.keys(fresh[tool]!).map((rel) => [rel, readFileSync(join(box.home, rel), "utf8")]))
      const second = await runInProcess(["setup", tool, "--key", KEY, "--url", URL, "--command", "clockme"], { env, cwd: box.project })
      expect(second.code).toBe(0)
      expect(second.stdout).toContain("nothing to change")
      for (const [rel, text] of Object.entries(snapshot)) expect(readFileSync(join(box.home, rel), "utf8")).toBe(text)

      const dry = await runInProcess(["setup", "--uninstall", tool, "--dry-run", "--command", "clockme"], { env, cwd: box.project })
      expect(dry.stdout).toContain("dry run")
      for (const [rel, text] of Object.entries(snapshot)) expect(readFileSync(join(box.home, rel), "utf8")).toBe(text)

      const removed = await runInProcess(["setup", "--uninstall", tool, "--command", "clockme"], { env, cwd: box.project })
      expect(removed.code).toBe(0)
      for (const rel of Object.keys(fresh[tool]!)) {
        expect(existsSync(join(box.home, rel)), rel).toBe(false)
        const name = rel.split("/").at(-1)!
        const backups = readdirSync(dirname(join(box.home, rel))).filter((f) => f.startsWith(`${name}.clockme-backup-`))
        expect(backups.length, rel).toBe(1)
      }
    })

    it(`${tool}: keeps the user's own servers, hooks and settings, and uninstall restores them exactly`, { timeout: 120_000 }, async () => {
      const box = sandbox()
      const env = setupEnv(box.home)
      for (const [rel, text] of Object.entries(existing[tool]!)) {
        mkdirSync(dirname(join(box.home, rel)), { recursive: true })
        writeFileSync(join(box.home, rel), text)
      }
      const before = Object.fromEntries(Object.keys(existing[tool]!).map((rel) => [rel, parseFile(join(box.home, rel))]))
      for (let run = 0; run < 2; run++) {
        const result = await runInProcess(["setup", tool, "--key", KEY, "--url", URL, "--command", "clockme"], { env, cwd: box.project })
        expect(result.code).toBe(0)
        for (const [rel, ours] of Object.entries(fresh[tool]!)) {
          const user = before[rel]
          expect(parseFile(join(box.home, rel)), rel).toEqual(user === undefined ? ours : merged(user, ours))
        }
      }
      if (tool === "codex") expect(readFileSync(join(box.home, ".codex/config.toml"), "utf8")).toContain("# my codex settings")
      const removed = await runInProcess(["setup", "--uninstall", tool, "--command", "clockme"], { env, cwd: box.project })
      expect(removed.code).toBe(0)
      for (const rel of Object.keys(fresh[tool]!)) {
        if (before[rel] === undefined) expect(existsSync(join(box.home, rel))).toBe(false)
        else expect(parseFile(join(box.home, rel)), rel).toEqual(before[rel])
      }
      if (tool === "codex") expect(readFileSync(join(box.home, ".codex/config.toml"), "utf8")).toBe(existing.codex![".codex/config.toml"])
    })
  }

  it("project scope writes the project's files with the key taken from the environment", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const claude = await runInProcess(["setup", "claude-code", "--project-scope", "--key", KEY, "--command", "clockme", "--fallback-project", "0b7f7a0e-8f5e-4a57-9a7e-3f1f3b0b4c11"], { env, cwd: box.project })
    expect(claude.code).toBe(0)
    expect(JSON.parse(readFileSync(join(box.project, ".mcp.json"), "utf8"))).toEqual({
      mcpServers: { clockme: { type: "http", url: MCP, headers: { Authorization: "Bearer ${CLOCKME_API_KEY}" } } }
    })
    const settings = JSON.parse(readFileSync(join(box.project, ".claude", "settings.json"), "utf8"))
    expect(settings.hooks.SessionEnd[0].hooks[0].command).toBe("clockme hook session-end --tool claude-code --fallback-project 0b7f7a0e-8f5e-4a57-9a7e-3f1f3b0b4c11")
    expect(Object.keys(settings.hooks)).toEqual(["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"])
    expect(JSON.stringify(settings)).not.toContain("Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"clockme hook session-end")

    const copilot = await runInProcess(["setup", "copilot", "--project-scope", "--key", KEY, "--command", "clockme"], { env, cwd: box.project })
    expect(copilot.code).toBe(0)
    expect(JSON.parse(readFileSync(join(box.project, ".vscode", "mcp.json"), "utf8"))).toEqual({
      inputs: [{ type: "promptString", id: "clockme-api-key", description: "ClockMe API key", password: true }],
      servers: { clockme: { type: "http", url: MCP, headers: { Authorization: "Bearer ${input:clockme-api-key}" } } }
    })
    expect(existsSync(join(box.project, ".github", "hooks", "clockme.json"))).toBe(true)
    expect(readdirSync(box.home).filter((f) => f !== ".config")).toEqual([])
  })

  it("edits JSONC settings in place: comments and trailing commas stay, and uninstall leaves the user's text", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const user = `{
  // my servers
  "mcpServers": {
    "linear": { "url": "https://example.test/linear" }, // keep me
  },
  /* hooks */
  "version": 1,
}
`
    mkdirSync(join(box.home, ".cursor"), { recursive: true })
    writeFileSync(join(box.home, ".cursor", "mcp.json"), user)
    const first = await runInProcess(["setup", "cursor", "--key", KEY, "--url", URL, "--command", "clockme"], { env })
    expect(first.code).toBe(0)
    const written = readFileSync(join(box.home, ".cursor", "mcp.json"), "utf8")
    expect(written).toContain("// my servers")
    expect(written).toContain("// keep me")
    expect(written).toContain("/* hooks */")
    expect(written).toContain(MCP)
    const removed = await runInProcess(["setup", "--uninstall", "cursor"], { env })
    expect(removed.code).toBe(0)
    const after = readFileSync(join(box.home, ".cursor", "mcp.json"), "utf8")
    expect(after).toContain("// keep me")
    expect(after).not.toContain("clockme")
  })

  it("recognizes its hooks by their signature: setup from another install replaces them, uninstall from a third removes them", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const settings = join(box.home, ".claude", "settings.json")
    const commands = () => {
      const hooks = JSON.parse(readFileSync(settings, "utf8")).hooks as Record<string, Array<{ hooks: Array<{ command: string }> }>>
      return Object.values(hooks).flatMap((groups) => groups.flatMap((g) => g.hooks.map((h) => h.command)))
    }
    const checkout = '"/usr/bin/node" "/srv/checkouts/tracker/packages/sdk/dist/cli.js"'
    expect((await runInProcess(["setup", "claude-code", "--key", KEY, "--command", checkout], { env })).code).toBe(0)
    expect(commands()).toHaveLength(4)
    expect(commands().every((c) => c.startsWith(checkout))).toBe(true)
    expect((await runInProcess(["setup", "claude-code", "--key", KEY, "--command", "clockme"], { env })).code).toBe(0)
    expect(commands()).toEqual([
      "clockme hook session-start --tool claude-code --auto-create",
      "clockme hook prompt --tool claude-code --auto-create",
      "clockme hook stop --tool claude-code --auto-create",
      "clockme hook session-end --tool claude-code --auto-create"
    ])
    expect((await runInProcess(["setup", "--uninstall", "claude-code"], { env })).code).toBe(0)
    expect(existsSync(settings)).toBe(false)
  })

  it("the built CLI copies the hook program to CLOCKME_HOME and every hook runs it there, never a TypeScript file or the install's path", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const clockmeHome = join(box.root, "clockme-home")
    const env = { ...setupEnv(box.home), PATH: "/usr/bin:/bin", CLOCKME_HOME: clockmeHome }
    expect((await runCli(cli, ["setup", "codex", "--key", KEY], { env })).code).toBe(0)
    const hooks = readFileSync(join(box.home, ".codex", "hooks.json"), "utf8")
    const launcher = join(clockmeHome, "bin", "clockme-hook")
    expect(JSON.parse(hooks).hooks.Stop[0].hooks[0].command).toBe(`"${launcher}" hook stop --tool codex --auto-create`)
    expect(hooks).not.toMatch(/\.ts\b|dist\/cli\.js/)
    const program = readFileSync(join(clockmeHome, "bin", "clockme-hook.mjs"), "utf8")
    expect(program.split("\n", 1)[0]).toBe(`// clockme-hook ${JSON.parse(readFileSync(join(sdkRoot, "package.json"), "utf8")).version}`)
    expect(program.slice(program.indexOf("\n") + 1)).toBe(readFileSync(join(sdkRoot, "dist", "hook.js"), "utf8"))
    expect(statSync(launcher).mode & 0o111).not.toBe(0)
    expect(execFileSync(launcher, ["--version"], { encoding: "utf8" })).toMatch(/^clockme-hook \d+\.\d+\.\d+/)
  })

  it("one hook program for every tool: older commands are rewritten to it, a newer program is kept, the last uninstall removes it", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const bin = join(box.home, ".clockme", "bin")
    const launcher = `"${join(bin, "clockme-hook")}"`
    const settings = join(box.home, ".claude", "settings.json")
    const claudeCommands = () => {
      const hooks = JSON.parse(readFileSync(settings, "utf8")).hooks as Record<string, Array<{ hooks: Array<{ command: string }> }>>
      return Object.values(hooks).flatMap((groups) => groups.flatMap((g) => g.hooks.map((h) => h.command)))
    }
    // What an npx run of an earlier version wrote: a path into npm's cache.
    const cached = `"/usr/bin/node" "${join(box.home, ".npm", "_npx", "47fe4d82c3a472fc", "node_modules", "@clockme", "sdk", "bin", "clockme.js")}"`
    expect((await runInProcess(["setup", "claude-code", "--key", KEY, "--command", cached], { env })).code).toBe(0)
    expect(existsSync(bin)).toBe(false)
    const setup = await runInProcess(["setup", "claude-code", "--key", KEY], { env })
    expect(setup.stdout).toContain(`installed the hook program: ${join(bin, "clockme-hook.mjs")}`)
    expect(claudeCommands()).toEqual(["session-start", "prompt", "stop", "session-end"].map((e) => `${launcher} hook ${e} --tool claude-code --auto-create`))
    const program = readFileSync(join(bin, "clockme-hook.mjs"), "utf8")

    // An older program is replaced, a newer one kept; the commands stay byte for byte.
    const settingsText = readFileSync(settings, "utf8")
    writeFileSync(join(bin, "clockme-hook.mjs"), "// clockme-hook 0.0.1\nold")
    expect((await runInProcess(["setup", "claude-code", "--key", KEY], { env })).stdout).toContain("updated the hook program")
    expect(readFileSync(join(bin, "clockme-hook.mjs"), "utf8")).toBe(program)
    writeFileSync(join(bin, "clockme-hook.mjs"), "// clockme-hook 99.0.0\nnewer")
    expect((await runInProcess(["setup", "cursor", "--key", KEY], { env })).code).toBe(0)
    expect(readFileSync(join(bin, "clockme-hook.mjs"), "utf8")).toBe("// clockme-hook 99.0.0\nnewer")
    expect(readFileSync(settings, "utf8")).toBe(settingsText)
    expect(JSON.parse(readFileSync(join(box.home, ".clockme", "installs.json"), "utf8")).installs.map((u: any) => u.tool)).toEqual(["claude-code", "cursor"])

    // Without the record (lost, or written by no setup), a tool's file that names the program still keeps it.
    rmSync(join(box.home, ".clockme", "installs.json"))
    const first = await runInProcess(["setup", "--uninstall", "claude-code"], { env })
    expect(first.stdout).not.toContain("removed the hook program")
    expect(existsSync(join(bin, "clockme-hook.mjs"))).toBe(true)
    const last = await runInProcess(["setup", "--uninstall", "cursor"], { env })
    expect(last.stdout).toContain("removed the hook program")
    expect(existsSync(join(box.home, ".clockme"))).toBe(false)
  })

  it("refuses bad input with a clear message and a non-zero exit", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const unknown = await runCli(cli, ["setup", "emacs"], { env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('<tool>: "emacs" is not one of claude-code, cursor')
    const noKey = await runInProcess(["setup", "cursor"], { env })
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("API key")
    mkdirSync(join(box.home, ".cursor"), { recursive: true })
    writeFileSync(join(box.home, ".cursor", "mcp.json"), "{ \"mcpServers\": { \"a\": ")
    const broken = await runInProcess(["setup", "cursor", "--key", KEY], { env })
    expect(broken.code).toBe(1)
    expect(broken.stderr).toContain("is not valid JSON")
    expect(readFileSync(join(box.home, ".cursor", "mcp.json"), "utf8")).toBe("{ \"mcpServers\": { \"a\": ")
  })
})
