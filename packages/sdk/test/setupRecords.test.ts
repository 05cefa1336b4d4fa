import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type RecordFile, setupRecords, TOOLS } from "../src/setup/SetupRecords.js"
import { sandbox, sdkRoot } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"

const KEY = "ck_live_wizardTestKey00000000001"
const URL = "http://127.0.0.1:8787"
const mask = (text: string) => text.split(KEY).join(`${KEY.slice(0, 8)}…${KEY.slice(-4)}`)

/** The new files a dry run prints, by path: each diff from /dev/null, its added lines put back together. */
const printedFiles = (stdout: string): Record<string, string> => {
  const files: Record<string, string> = {}
  for (const block of stdout.split(/^--- /m).slice(1)) {
    const lines = block.split("\n")
    expect(lines[0]).toBe("/dev/null")
    const file = lines[1]!.replace(/^\+\+\+ /, "")
    files[file] = lines.slice(2).filter((line) => line.startsWith("+")).map((line) => line.slice(1)).join("\n") + "\n"
  }
  return files
}

const cases = TOOLS.flatMap((tool) =>
  [
    { tool, projectScope: false, fallbackProject: undefined },
    { tool, projectScope: true, fallbackProject: undefined },
    { tool, projectScope: false, fallbackProject: "proj_0123456789abcdef" }
  ]
)

describe("setup records: the wizard's JSON is what `clockme setup --dry-run` writes", () => {
  for (const { fallbackProject, projectScope, tool } of cases) {
    it(`${tool}${projectScope ? ", project scope" : ""}${fallbackProject ? ", a fallback project" : ""}`, async () => {
      const box = sandbox()
      const env = { HOME: box.home, XDG_CONFIG_HOME: join(box.home, ".config") }
      const args = [
        "setup",
        tool,
        "--dry-run",
        "--key",
        KEY,
        "--url",
        URL,
        "--command",
        "clockme",
        ...(fallbackProject ? ["--fallback-project", fallbackProject] : ["--auto-create"]),
        ...(projectScope ? ["--project-scope"] : [])
      ]
      const dry = await runInProcess(args, { env, cwd: box.project })
      expect(dry.code).toBe(0)
      const records = setupRecords(tool, { key: KEY, serverUrl: URL, hookCommand: "clockme", fallbackProject, autoCreate: !fallbackProject, projectScope })
      const folders: Record<RecordFile["place"], string> = {
        home: box.home,
        project: box.project,
        vscode: join(env.XDG_CONFIG_HOME, "Code", "User")
      }
      const expected = Object.fromEntries(records.files.map((file) => [join(folders[file.place], ...file.path.split("/")), mask(file.content)]))
      expect(printedFiles(dry.stdout)).toEqual(expected)
      expect(records.files.length).toBeGreaterThan(0)
      expect(records.command).toBe(
        `npx @clockme/sdk setup ${tool} --key ${KEY} --url ${URL} ` +
          (fallbackProject ? `--fallback-project ${fallbackProject}` : "--auto-create") + (projectScope ? " --project-scope" : "")
      )
    })
  }

  it("the user files hold the key; project files name it by reference where the tool can", () => {
    const user = setupRecords("claude-code", { key: KEY, serverUrl: `${URL}/api/`, hookCommand: "clockme" })
    expect(user.files.map((file) => `${file.place}:${file.path}`)).toEqual(["home:.claude.json", "home:.claude/settings.json"])
    expect(JSON.parse(user.files[0]!.content).mcpServers.clockme).toEqual({
      type: "http",
      url: `${URL}/api/mcp`,
      headers: { Authorization: `Bearer ${KEY}` }
    })
    const project = setupRecords("claude-code", { key: KEY, serverUrl: URL, hookCommand: "clockme", projectScope: true })
    expect(project.files[0]!.content).not.toContain(KEY)
    expect(setupRecords("codex", { key: "it's", serverUrl: URL, hookCommand: "clockme" }).command).toContain(`--key 'it'\\''s'`)
  })

  it("the bundle the dashboard imports is self-contained: no import of node or of any package", () => {
    const bundle = readFileSync(join(sdkRoot, "dist", "setup-records.js"), "utf8")
    expect(bundle).toContain("setupRecords")
    expect(bundle).not.toMatch(/\bfrom\s*["']/)
    expect(bundle).not.toMatch(/\bimport\s*\(/)
    expect(bundle).not.toMatch(/\brequire\s*\(/)
    expect(bundle).not.toContain("node:")
  })
})
