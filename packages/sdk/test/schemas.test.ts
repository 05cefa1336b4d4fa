import { describe, expect, it } from "@effect/vitest"
import type { ValidateFunction } from "ajv"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse as parseToml } from "smol-toml"
import { sandbox } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"
import { publishedSchema } from "./lib/Schemas.js"

const validators: Record<string, ValidateFunction> = {
  claude: publishedSchema("claude-code-settings.json"),
  gemini: publishedSchema("gemini-cli-settings.schema.json", "2020"),
  codexHooks: publishedSchema("codex-hooks.json"),
  codexConfig: publishedSchema("codex-config-mcp-servers.schema.json")
}

/** Each file setup writes that a published schema covers (relative to HOME, or to the project for project scope). */
const covered: Record<string, ReadonlyArray<{ readonly file: string; readonly schema: keyof typeof validators }>> = {
  "claude-code": [{ file: ".claude/settings.json", schema: "claude" }],
  gemini: [{ file: ".gemini/settings.json", schema: "gemini" }],
  codex: [{ file: ".codex/hooks.json", schema: "codexHooks" }, { file: ".codex/config.toml", schema: "codexConfig" }]
}

const KEY = "ck_live_schemaTestKey00000000001"

describe("what clockme setup writes, against each tool's published schema", () => {
  for (const [tool, files] of Object.entries(covered)) {
    for (const scope of ["user", "project"] as const) {
      it(`${tool}, ${scope} scope`, { timeout: 60_000 }, async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config }
        const args = ["setup", tool, "--key", KEY, "--url", "http://127.0.0.1:8787", ...(scope === "project" ? ["--project-scope"] : [])]
        expect((await runInProcess(args, { env, cwd: box.project })).code).toBe(0)
        for (const { file, schema } of files) {
          const text = readFileSync(join(scope === "user" ? box.home : box.project, file), "utf8")
          const document = file.endsWith(".toml") ? parseToml(text) : JSON.parse(text)
          const validate = validators[schema]!
          expect(validate(document) ? [] : validate.errors, file).toEqual([])
          // ClockMe's part is in what was validated: its hooks, or its MCP entry.
          expect(text).toContain(file.endsWith(".toml") ? "[mcp_servers.clockme]" : ` hook session-start --tool ${tool} --auto-create`)
        }
      })
    }
  }
})
