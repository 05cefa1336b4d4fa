import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { sdkRoot } from "./lib/Cli.js"

/** Asynchronous on purpose: the server under test runs in this process and must keep answering. */
const run = async (file: string, args: ReadonlyArray<string>, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  (await promisify(execFile)(file, [...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options })).stdout

const npm = (args: ReadonlyArray<string>, cwd: string) =>
  run("npm", args, { cwd, env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } })

layer(TestServer, { timeout: 600_000, excludeTestServices: true })("the published package", (it) => {
  it.effect("npm pack, install the tarball into an empty folder, and a plain script starts and stops a timer", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key } = yield* signUp()
      yield* Effect.promise(async () => {
        const packDir = mkdtempSync(join(tmpdir(), "clockme-pack-"))
        const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", packDir], sdkRoot))
        const tarball = join(packDir, packed[0].filename)
        const files: Array<string> = packed[0].files.map((f: { path: string }) => f.path)
        expect(files).toContain("dist/index.js")
        expect(files).toContain("dist/cli.js")
        expect(files).toContain("dist/index.d.ts")
        expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false)

        const app = mkdtempSync(join(tmpdir(), "clockme-app-"))
        writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }))
        await npm(["install", "--prefer-offline", "--no-save", "--ignore-scripts", tarball], app)
        const installed = readdirSync(join(app, "node_modules"))
        expect(installed).not.toContain("pg")
        expect(installed).not.toContain("@electric-sql")
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

        const help = await run(join(app, "node_modules", ".bin", "clockme"), ["help"])
        expect(help).toContain("clockme setup <tool>")

        writeFileSync(join(app, "check.ts"), `
import { ClockMe, ClockMeError } from "@clockme/sdk"
const cm = new ClockMe({ apiKey: "ck_live_x" })
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
        await run(process.execPath, [join(sdkRoot, "..", "..", "node_modules", "typescript", "bin", "tsc"), "-p", app])
      })
    }), { timeout: 600_000 })
})
