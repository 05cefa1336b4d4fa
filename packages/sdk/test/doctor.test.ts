import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { ClockMe } from "../src/index.js"
import { closedPort, sandbox } from "./lib/Cli.js"
import { bash } from "./lib/Installs.js"
import { runInProcess } from "./lib/InProcess.js"

interface Check {
  readonly subject: string
  readonly ok: boolean
  readonly detail: string
  readonly fix?: string
}

layer(TestServer, { timeout: 300_000, excludeTestServices: true })("clockme doctor", (it) => {
  it.effect("finds each fault on its own, names the command that fixes it, and exits 1 until it is fixed", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config }
        const cli = (...args: Array<string>) => runInProcess(args, { env, cwd: box.project })
        const cm = new ClockMe({ apiKey: key, baseUrl: base })
        /** The problems doctor reports, as [subject, fix], and its exit code. */
        const doctor = async (...args: Array<string>) => {
          const run = await cli("doctor", "--json", ...args)
          const report = JSON.parse(run.stdout) as { checks: Array<Check>; broken: boolean }
          expect(report.broken).toBe(run.code === 1)
          return { code: run.code, problems: report.checks.filter((c) => !c.ok).map((c) => [c.subject, c.fix]), checks: report.checks }
        }

        const nothing = await doctor("--url", base)
        expect(nothing.problems).toEqual([["key", `clockme login --url ${base}`], ["tools", "clockme setup <tool>"]])

        expect((await cli("setup", "claude-code", "--key", key, "--url", base)).code).toBe(0)
        expect((await cli("setup", "codex")).code).toBe(0)
        const healthy = await doctor()
        expect(healthy).toMatchObject({ code: 0, problems: [] })
        const detail = Object.fromEntries(healthy.checks.map((c) => [c.subject, c.detail]))
        expect(detail.server).toBe(`${base} answers (ClockMe 0.1.0)`)
        expect(detail.key).toContain(`of ${user.email} works (scope full)`)
        expect(detail.program).toMatch(/clockme-hook\.mjs \d+\.\d+\.\d+ runs$/)
        expect(detail["claude-code"]).toBe("MCP entry and 4 hooks as setup writes them")
        expect(detail.codex).toBe("MCP entry and 4 hooks as setup writes them")
        expect(detail.cursor).toBe("not set up")
        // From the home folder, the project's files are the user's own: no second, project-scope verdict.
        expect((await runInProcess(["doctor"], { env, cwd: box.home })).code).toBe(0)
        const human = await cli("doctor")
        expect(human.stdout.trim().split("\n").at(-1)).toBe("all good")

        // A missing hook program: every tool that runs it says so.
        const program = join(box.home, ".clockme", "bin", "clockme-hook.mjs")
        renameSync(program, `${program}.away`)
        expect(await doctor()).toMatchObject({ code: 1, problems: [["claude-code", "clockme setup claude-code"], ["codex", "clockme setup codex"]] })
        expect((await cli("doctor")).stdout).toContain(`the hook program is missing: ${program}`)
        expect((await cli("setup", "codex")).code).toBe(0)
        expect((await doctor()).code).toBe(0)

        // A program that no longer starts (say, a truncated copy).
        writeFileSync(program, "// clockme-hook 0.1.0\nthis is not JavaScript(")
        expect((await doctor()).problems).toEqual([["claude-code", "clockme setup claude-code"], ["codex", "clockme setup codex"]])
        expect((await cli("setup", "claude-code")).code).toBe(0)
        expect((await doctor()).code).toBe(0)

        // A revoked key.
        const second = await cm.keys.create({ label: "hooks", scope: "full" })
        expect((await cli("setup", "claude-code", "--key", second.secret)).code).toBe(0)
        expect((await doctor()).code).toBe(0)
        await cm.keys.revoke({ id: second.key.id })
        const revoked = await doctor()
        expect(revoked.problems).toEqual([["key", "create a key in ClockMe, then: clockme login --key <new key>, and clockme setup <tool> again"]])
        expect(revoked.checks.find((c) => c.subject === "key")!.detail).toContain("is refused")

        // A read-only key.
        const reader = await cm.keys.create({ label: "reports", scope: "read" })
        expect((await cli("setup", "claude-code", "--key", reader.secret)).code).toBe(0)
        const readOnly = await doctor()
        expect(readOnly.problems).toEqual([["key", "create a write key, then: clockme login --key <new key>, and clockme setup <tool> again"]])
        expect(readOnly.checks.find((c) => c.subject === "key")!.detail).toContain("read-only")
        expect((await cli("setup", "claude-code", "--key", key)).code).toBe(0)
        expect((await doctor()).code).toBe(0)

        // An MCP entry edited by hand.
        const claudeJson = join(box.home, ".claude.json")
        const entry = readFileSync(claudeJson, "utf8")
        writeFileSync(claudeJson, entry.replace(`${base}/api/mcp`, "http://127.0.0.1:9/api/mcp"))
        const edited = await doctor()
        expect(edited.problems).toEqual([["claude-code", "clockme setup claude-code"]])
        expect(edited.checks.find((c) => !c.ok)!.detail).toBe(`${claudeJson} differs from what setup writes (edited by hand, or a changed key or URL)`)
        writeFileSync(claudeJson, entry)
        expect((await doctor()).code).toBe(0)

        // Hooks an earlier setup pointed at npm's npx cache.
        const cached = `"${process.execPath}" "${join(box.home, ".npm", "_npx", "47fe4d82c3a472fc", "node_modules", "@clockme", "sdk", "bin", "clockme.js")}"`
        expect((await cli("setup", "codex", "--command", cached)).code).toBe(0)
        const old = await doctor()
        expect(old.problems).toEqual([["codex", "clockme setup codex"]])
        expect(old.checks.find((c) => !c.ok)!.detail).toContain(`hooks run ${cached}, not the hook program`)
        expect((await cli("setup", "codex")).code).toBe(0)

        // The server down: a hook queues its event, and doctor names the server, then the queue once it is back.
        const down = await closedPort()
        expect((await cli("setup", "claude-code", "--url", down)).code).toBe(0)
        expect((await cli("setup", "codex")).code).toBe(0)
        const start = JSON.parse(readFileSync(join(box.home, ".claude", "settings.json"), "utf8")).hooks.SessionStart[0].hooks[0].command as string
        const ran = await bash(start, { cwd: box.project, env: { ...process.env, ...env, CLOCKME_URL: "", CLOCKME_API_KEY: "" }, stdin: JSON.stringify({ session_id: "doctor-1", cwd: box.project }) })
        expect(ran).toMatchObject({ code: 0, stdout: "" })
        const offline = await doctor()
        expect(offline.problems).toEqual([["server", "start the server (clockme-server serve), or point to it: clockme login --url <url>"]])
        expect(offline.checks.find((c) => c.subject === "server")!.detail).toContain(`${down} does not answer`)
        expect(offline.checks.find((c) => c.subject === "queue")!.detail).toBe("1 hook event(s) wait for the server; the next hook or clockme sync sends them")
        expect((await cli("setup", "claude-code", "--url", base)).code).toBe(0)
        expect((await cli("setup", "codex")).code).toBe(0)
        expect((await doctor()).problems).toEqual([["queue", "clockme sync"]])
        expect((await cli("sync")).code).toBe(0)
        expect((await doctor()).code).toBe(0)
        expect((await cm.timer.current()).timers.map((t) => t.projectName)).toEqual(["acme-app"])
      })
    }))
})
