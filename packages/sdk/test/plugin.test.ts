import { describe, expect, it } from "@effect/vitest"
import type { ValidateFunction } from "ajv"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { CODEX_PLUGIN_DIR, PLUGIN_DIR, PLUGIN_NAME, pluginFiles, PROGRAM } from "../src/cli/Plugin.js"
import { apply, plan } from "../src/cli/Setup.js"
import { telemetryEnv } from "../src/cli/Telemetry.js"
import { hookArgs } from "../src/setup/SetupRecords.js"
import { KEY_ENV, type Tool, TOOL_RECORDS } from "../src/setup/ToolRecords.js"
import { closedPort, sandbox, sdkRoot } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"
import { handlersOf, readRepoJson, repoRoot } from "./lib/Plugins.js"
import { publishedSchema } from "./lib/Schemas.js"

const validators: Record<string, ValidateFunction> = {
  claudeMarketplace: publishedSchema("claude-code-marketplace.json"),
  claudePlugin: publishedSchema("claude-code-plugin-manifest.json"),
  claudeSettings: publishedSchema("claude-code-settings.json"),
  codexPlugin: publishedSchema("codex-plugin-manifest.json"),
  codexHooks: publishedSchema("codex-hooks.json"),
  cursorPlugin: publishedSchema("cursor-plugin.schema.json"),
  geminiSettings: publishedSchema("gemini-cli-settings.schema.json", "2020")
}
const valid = (name: keyof typeof validators, document: unknown) => {
  const validate = validators[name]!
  return validate(document) ? [] : validate.errors
}

const version = JSON.parse(readFileSync(join(sdkRoot, "package.json"), "utf8")).version as string
const generated = () => pluginFiles(readFileSync(join(sdkRoot, "dist", "hook.js"), "utf8"), version)

/** Each host's hooks file and the tool whose setup record it comes from. */
const hostHooks: ReadonlyArray<{ readonly tool: Tool; readonly file: string }> = [
  { tool: "claude-code", file: `${PLUGIN_DIR}/hooks/hooks.json` },
  { tool: "cursor", file: `${PLUGIN_DIR}/hooks/cursor.json` },
  { tool: "codex", file: `${CODEX_PLUGIN_DIR}/hooks/hooks.json` },
  { tool: "gemini", file: "hooks/hooks.json" }
]

describe("ClockMe as a plugin", () => {
  it("the committed plugin files are what the records and the freshly bundled hook program make (npm run plugin)", () => {
    const stale = Object.entries(generated())
      .filter(([file, content]) => !existsSync(join(repoRoot, file)) || readFileSync(join(repoRoot, file), "utf8") !== content)
      .map(([file]) => file)
    expect(stale, "stale plugin files: run `npm run plugin` and commit what it writes").toEqual([])
  })

  it("each plugin carries the SDK's hook program whole, and its folder names nothing outside itself", () => {
    const bundle = readFileSync(join(sdkRoot, "dist", "hook.js"), "utf8")
    for (const dir of [PLUGIN_DIR, CODEX_PLUGIN_DIR]) {
      const program = readFileSync(join(repoRoot, dir, PROGRAM), "utf8")
      expect(program).toBe(`// clockme-hook ${version}\n${bundle}`)
      // Copied plugins cannot reach `../`, and a plugin root must hold no package.json (hosts would npm install it).
      expect(existsSync(join(repoRoot, dir, "package.json"))).toBe(false)
    }
    for (const [file, content] of Object.entries(generated())) {
      if (file.startsWith("plugins/") && file.endsWith(".json")) expect(content.includes("../"), file).toBe(false)
    }
  })

  it("every host's hooks run, for each event, what clockme setup writes for that tool, from the same record", () => {
    for (const { file, tool } of hostHooks) {
      const document = readRepoJson(file)
      const setupFile = plan({ tool, url: "http://127.0.0.1:8787", key: "ck_live_x", projectScope: false, projectDir: "/p", command: "PROGRAM" }, false)
        .find((c) => c.after?.includes(`hook session-start --tool ${tool}`))!
      const written = JSON.parse(setupFile.after!)
      const record = TOOL_RECORDS[tool].hooks
      expect(Object.keys(document.hooks), file).toEqual(record.events.map((e) => e.name))
      for (const spec of record.events) {
        const [plugin] = handlersOf(document, spec.name)
        const [ours] = handlersOf(written, spec.name).filter((h: any) => String(h.command ?? h.bash).startsWith("PROGRAM "))
        const args = hookArgs(tool, spec.event)
        expect(ours.command ?? ours.bash).toBe(`PROGRAM ${args.join(" ")}`)
        // The same handler options (timeouts, async, names), the same matcher, the same program arguments.
        const { args: pluginArgs, command: pluginCommand, ...pluginOptions } = plugin
        const { bash: _bash, command: _command, powershell: _powershell, ...setupOptions } = ours
        expect(pluginOptions, `${file} ${spec.name}`).toEqual(setupOptions)
        expect(document.hooks[spec.name][0].matcher, `${file} ${spec.name}`).toBe(written.hooks[spec.name][0].matcher)
        const invoked = Array.isArray(pluginArgs) ? [pluginCommand, ...pluginArgs] : String(pluginCommand).split(" ")
        expect(invoked[0]).toBe("node")
        expect(invoked[1]).toMatch(/clockme-hook\.mjs"?$/)
        expect(invoked.slice(2), `${file} ${spec.name}`).toEqual(args)
      }
    }
  })

  it("every manifest and hooks file validates against its host's published schema (test/schemas/README.md)", () => {
    expect(valid("claudeMarketplace", readRepoJson(".claude-plugin/marketplace.json"))).toEqual([])
    const claude = readRepoJson(`${PLUGIN_DIR}/.claude-plugin/plugin.json`)
    expect(valid("claudePlugin", claude)).toEqual([])
    // .mcp.json has no schema of its own: its servers are what the manifest's inline `mcpServers` takes.
    expect(valid("claudePlugin", { name: PLUGIN_NAME, mcpServers: readRepoJson(`${PLUGIN_DIR}/.mcp.json`).mcpServers })).toEqual([])
    // A plugin's hooks/hooks.json has the settings file's `hooks` shape.
    expect(valid("claudeSettings", readRepoJson(`${PLUGIN_DIR}/hooks/hooks.json`))).toEqual([])
    expect(valid("codexPlugin", readRepoJson(`${CODEX_PLUGIN_DIR}/.codex-plugin/plugin.json`))).toEqual([])
    expect(valid("codexHooks", readRepoJson(`${CODEX_PLUGIN_DIR}/hooks/hooks.json`))).toEqual([])
    expect(valid("cursorPlugin", readRepoJson(`${PLUGIN_DIR}/.cursor-plugin/plugin.json`))).toEqual([])
    expect(valid("geminiSettings", readRepoJson("hooks/hooks.json"))).toEqual([])
    // The schema is checked for what it catches: an unknown key in Cursor's manifest, a key prompt without a title.
    expect(valid("cursorPlugin", { ...readRepoJson(`${PLUGIN_DIR}/.cursor-plugin/plugin.json`), userConfig: {} })).not.toEqual([])
    expect(valid("claudePlugin", { ...claude, userConfig: { api_key: { type: "string", description: "x" } } })).not.toEqual([])
  })

  it("what no published schema covers holds what the reference specifies", () => {
    // Claude Code: the marketplace's plugin is the folder with the manifest, and the key is prompted as sensitive.
    const marketplace = readRepoJson(".claude-plugin/marketplace.json")
    expect(marketplace.plugins.map((p: any) => [p.name, p.source])).toEqual([[PLUGIN_NAME, `./${PLUGIN_DIR}`]])
    const claude = readRepoJson(`${PLUGIN_DIR}/.claude-plugin/plugin.json`)
    expect(claude.userConfig.api_key.sensitive).toBe(true)
    expect(readFileSync(join(repoRoot, PLUGIN_DIR, ".mcp.json"), "utf8")).toContain("${user_config.api_key}")
    // Codex's marketplace (.agents/plugins): a local source, `./`-relative, to the folder with .codex-plugin.
    const codex = readRepoJson(".agents/plugins/marketplace.json")
    expect(codex.plugins.map((p: any) => [p.name, p.source])).toEqual([[PLUGIN_NAME, { source: "local", path: `./${CODEX_PLUGIN_DIR}` }]])
    expect(existsSync(join(repoRoot, CODEX_PLUGIN_DIR, ".codex-plugin", "plugin.json"))).toBe(true)
    // Cursor: its marketplace names the folder with .cursor-plugin (as Cursor's own marketplace does); hooks are
    // version 1, its own event names, command handlers with a timeout in seconds.
    const cursorMarketplace = readRepoJson(".cursor-plugin/marketplace.json")
    expect(cursorMarketplace.owner.name).toBe("ClockMe")
    expect(cursorMarketplace.plugins.map((p: any) => [p.name, p.source])).toEqual([[PLUGIN_NAME, PLUGIN_DIR]])
    expect(existsSync(join(repoRoot, PLUGIN_DIR, ".cursor-plugin", "plugin.json"))).toBe(true)
    const cursor = readRepoJson(`${PLUGIN_DIR}/hooks/cursor.json`)
    expect(cursor.version).toBe(1)
    for (const handlers of Object.values(cursor.hooks) as Array<Array<any>>) {
      for (const h of handlers) expect(Object.keys(h).sort()).toEqual(["command", "timeout"])
    }
    expect(readRepoJson(`${PLUGIN_DIR}/.cursor-plugin/plugin.json`).hooks).toBe("./hooks/cursor.json")
    // Gemini CLI: the manifest's name is the extension folder's, every CLOCKME_* the hooks and server read is a
    // declared setting (extensions get no other environment), the key sensitive.
    const gemini = readRepoJson("gemini-extension.json")
    expect(gemini.name).toBe(PLUGIN_NAME)
    expect(gemini.version).toBe(version)
    for (const s of gemini.settings) expect(Object.keys(s).sort()).toEqual(["description", "envVar", "name", "sensitive"])
    expect(gemini.settings.map((s: any) => [s.envVar, s.sensitive])).toEqual([["CLOCKME_URL", false], [KEY_ENV, true]])
    const used = new Set(JSON.stringify(gemini.mcpServers).match(/CLOCKME_[A-Z_]+/g))
    expect([...used].sort()).toEqual(gemini.settings.map((s: any) => s.envVar).sort())
    expect(gemini.mcpServers.clockme.httpUrl).toBe("${CLOCKME_URL}/api/mcp")
  })
})

describe("clockme setup beside the plugin", () => {
  const KEY = "ck_live_pluginTestKey00000000001"
  const setupEnv = (home: string) => ({ HOME: home, XDG_CONFIG_HOME: join(home, ".config") })

  it("Claude Code: says the plugin is installed, keeps the old hooks unless told, and --remove-old-hooks removes them", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    expect((await runInProcess(["setup", "claude-code", "--key", KEY], { env })).code).toBe(0)
    const settings = join(box.home, ".claude", "settings.json")
    const withHooks = JSON.parse(readFileSync(settings, "utf8"))
    writeFileSync(settings, JSON.stringify({ ...withHooks, enabledPlugins: { "clockme@clockme": true } }, null, 2))

    const asked = await runInProcess(["setup", "claude-code", "--key", KEY], { env })
    expect(asked.code).toBe(0)
    expect(asked.stdout).toContain(`Claude Code: the ClockMe plugin is installed (${settings})`)
    expect(asked.stdout).toContain("would count each session twice beside the plugin. Kept; remove it with: clockme setup claude-code --remove-old-hooks")
    expect(asked.stdout).toContain(`-            "command": "\\"${join(box.home, ".clockme", "bin", "clockme-hook")}\\" hook session-start --tool claude-code --auto-create",`)
    const doctor = await runInProcess(["doctor", "--json", "--url", await closedPort()], { env })
    expect(JSON.parse(doctor.stdout).checks.find((c: any) => c.subject === "claude-code")).toMatchObject({
      ok: false,
      fix: "clockme setup claude-code --remove-old-hooks"
    })
    expect(JSON.parse(readFileSync(settings, "utf8")).hooks).toEqual(withHooks.hooks)

    const removed = await runInProcess(["setup", "claude-code", "--remove-old-hooks", "--json"], { env })
    expect(removed.code).toBe(0)
    expect(JSON.parse(removed.stdout)).toMatchObject({ tool: "claude-code", plugin: settings, oldHooks: "removed", program: "removed" })
    expect(JSON.parse(readFileSync(settings, "utf8"))).toEqual({ enabledPlugins: { "clockme@clockme": true } })
    expect(existsSync(join(box.home, ".clockme", "bin", "clockme-hook.mjs"))).toBe(false)

    // Nothing left to remove, and nothing added: the plugin tracks the sessions.
    const again = await runInProcess(["setup", "claude-code", "--json"], { env })
    expect(JSON.parse(again.stdout)).toMatchObject({ oldHooks: "none", changed: [] })
    const healthy = JSON.parse((await runInProcess(["doctor", "--json", "--url", await closedPort()], { env })).stdout).checks
    expect(healthy.find((c: any) => c.subject === "claude-code")).toMatchObject({ ok: true, detail: `the ClockMe plugin is installed (${settings})` })
    expect(healthy.find((c: any) => c.subject === "tools")).toBeUndefined()
    expect(JSON.parse(readFileSync(settings, "utf8"))).toEqual({ enabledPlugins: { "clockme@clockme": true } })
  })

  it("Claude Code: --usage writes the OpenTelemetry export beside the plugin, removing the old hooks keeps it, and --uninstall --usage removes only it", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const url = "http://127.0.0.1:8787"
    const exported = { ...telemetryEnv(url, KEY) }
    expect((await runInProcess(["setup", "claude-code", "--key", KEY, "--url", url], { env })).code).toBe(0)
    const settings = join(box.home, ".claude", "settings.json")
    const read = () => JSON.parse(readFileSync(settings, "utf8"))
    writeFileSync(settings, JSON.stringify({ ...read(), env: { DISABLE_TELEMETRY_PROMPT: "1" }, enabledPlugins: { "clockme@clockme": true } }, null, 2))

    // --usage needs the key it writes
    const bare = sandbox()
    mkdirSync(join(bare.home, ".claude"), { recursive: true })
    writeFileSync(join(bare.home, ".claude", "settings.json"), JSON.stringify({ enabledPlugins: { "clockme@clockme": true } }))
    const refused = await runInProcess(["setup", "claude-code", "--usage"], { env: setupEnv(bare.home) })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("setup needs an API key")

    const usage = await runInProcess(["setup", "claude-code", "--usage", "--key", KEY, "--url", url], { env })
    expect(usage.code, usage.stderr).toBe(0)
    expect(usage.stdout).toContain("so setup adds only the OpenTelemetry export of AI usage, which the plugin does not carry")
    expect(usage.stdout).toContain("Kept; remove it with: clockme setup claude-code --remove-old-hooks")
    expect(read().env).toEqual({ DISABLE_TELEMETRY_PROMPT: "1", ...exported })
    expect(read().hooks).toBeDefined()
    const doctorBefore = JSON.parse((await runInProcess(["doctor", "--json", "--url", await closedPort()], { env })).stdout).checks
    expect(doctorBefore.find((c: any) => c.subject === "claude-code")).toMatchObject({ ok: false, fix: "clockme setup claude-code --remove-old-hooks" })

    // Removing the old hooks leaves the export the plugin does not carry, and both backups.
    const removed = await runInProcess(["setup", "claude-code", "--remove-old-hooks", "--json"], { env })
    expect(JSON.parse(removed.stdout)).toMatchObject({ oldHooks: "removed", usage: "unchanged", program: "removed" })
    expect(read()).toEqual({ env: { DISABLE_TELEMETRY_PROMPT: "1", ...exported }, enabledPlugins: { "clockme@clockme": true } })
    const doctor = JSON.parse((await runInProcess(["doctor", "--json", "--url", await closedPort()], { env })).stdout).checks
    expect(doctor.find((c: any) => c.subject === "claude-code")).toMatchObject({ ok: true, detail: `the ClockMe plugin is installed (${settings})` })
    expect(doctor.find((c: any) => c.subject === "claude-code usage")).toMatchObject({ ok: true })

    // A later setup (a new key) refreshes the export.
    const NEW_KEY = "ck_live_pluginTestKey00000000002"
    const refreshed = await runInProcess(["setup", "claude-code", "--key", NEW_KEY, "--url", url, "--json"], { env })
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ oldHooks: "none", usage: "written", changed: [settings] })
    expect(read().env.OTEL_EXPORTER_OTLP_HEADERS).toBe(`Authorization=Bearer ${NEW_KEY}`)

    // --uninstall --usage turns the export off and touches nothing else.
    const off = await runInProcess(["setup", "claude-code", "--uninstall", "--usage"], { env })
    expect(off.code, off.stderr).toBe(0)
    expect(read()).toEqual({ env: { DISABLE_TELEMETRY_PROMPT: "1" }, enabledPlugins: { "clockme@clockme": true } })
  })

  it("Claude Code without the plugin: --uninstall --usage removes the export and keeps the hooks; two changes to one file in a second keep both backups", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    expect((await runInProcess(["setup", "claude-code", "--usage", "--key", KEY], { env })).code).toBe(0)
    const settings = join(box.home, ".claude", "settings.json")
    const installed = JSON.parse(readFileSync(settings, "utf8"))
    expect(installed.env.OTEL_EXPORTER_OTLP_HEADERS).toBe(`Authorization=Bearer ${KEY}`)
    const off = await runInProcess(["setup", "claude-code", "--uninstall", "--usage"], { env })
    expect(off.code, off.stderr).toBe(0)
    const { env: _env, ...rest } = installed
    expect(JSON.parse(readFileSync(settings, "utf8"))).toEqual(rest)
    expect(existsSync(join(box.home, ".clockme", "bin", "clockme-hook.mjs"))).toBe(true)

    const before = readFileSync(settings, "utf8")
    const first = apply([{ file: settings, before, after: "{}\n", secret: false }])[0]!
    const second = apply([{ file: settings, before: "{}\n", after: "{\"a\": 1}\n", secret: false }])[0]!
    expect(second.backup).not.toBe(first.backup)
    expect(readFileSync(first.backup!, "utf8")).toBe(before)
    expect(readFileSync(second.backup!, "utf8")).toBe("{}\n")
  })

  it("Gemini CLI and Codex: the installed extension or plugin is found where each keeps it", { timeout: 60_000 }, async () => {
    const box = sandbox()
    const env = setupEnv(box.home)
    const extension = join(box.home, ".gemini", "extensions", "clockme")
    mkdirSync(extension, { recursive: true })
    writeFileSync(join(extension, "gemini-extension.json"), readFileSync(join(repoRoot, "gemini-extension.json")))
    const gemini = await runInProcess(["setup", "gemini", "--key", KEY, "--json"], { env })
    expect(JSON.parse(gemini.stdout)).toMatchObject({ plugin: join(extension, "gemini-extension.json"), oldHooks: "none" })
    expect(existsSync(join(box.home, ".gemini", "settings.json"))).toBe(false)

    mkdirSync(join(box.home, ".codex"), { recursive: true })
    writeFileSync(join(box.home, ".codex", "config.toml"), `[plugins."clockme@clockme"]\nenabled = true\n`)
    const codex = await runInProcess(["setup", "codex", "--key", KEY], { env })
    expect(codex.stdout).toContain("Codex: the ClockMe plugin is installed")
    expect(existsSync(join(box.home, ".codex", "hooks.json"))).toBe(false)

    // Without the plugin, setup writes its hooks as before.
    const cursor = await runInProcess(["setup", "cursor", "--key", KEY], { env })
    expect(cursor.stdout).not.toContain("plugin")
    expect(existsSync(join(box.home, ".cursor", "hooks.json"))).toBe(true)
  })
})
