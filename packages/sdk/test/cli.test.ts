import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { baseUrl, signUp, TestServer } from "../../api/test/lib/TestServer.js"
import { cliBin, runCli, sandbox } from "./lib/Cli.js"
import { runInProcess } from "./lib/InProcess.js"

const cli = cliBin

layer(TestServer, { timeout: 300_000, excludeTestServices: true })("clockme for people at a terminal", (it) => {
  it.effect("login, start, status, pause, resume, stop, log and report", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      yield* Effect.promise(async () => {
        const box = sandbox()
        const env = { HOME: box.home, XDG_CONFIG_HOME: box.config }
        // login (a key on stdin) and an unknown command run the built CLI; the rest runs in this process
        const run = (...args: Array<string>) => runInProcess(args, { env, cwd: box.project })

        const login = await runCli(cli, ["login", "--url", base], { env, stdin: `${key}\n` })
        expect(login.code).toBe(0)
        expect(login.stdout).toContain(user.email)
        const config = join(box.config, "clockme", "config.json")
        expect(JSON.parse(readFileSync(config, "utf8"))).toEqual({ url: base, apiKey: key })
        expect(statSync(config).mode & 0o777).toBe(0o600)

        const missing = await run("start")
        expect(missing.code).toBe(1)
        expect(missing.stderr).toContain("project_not_found")

        expect((await run("start", "--create")).stdout).toContain("started acme-app")
        const status = JSON.parse((await run("status", "--json")).stdout)
        expect(status.timers.map((t: any) => [t.projectName, t.state])).toEqual([["acme-app", "running"]])
        expect((await run("pause")).stdout).toContain("paused acme-app")
        expect((await run("resume", "acme-app")).stdout).toContain("resumed acme-app")
        const stop = await run("stop", "--json")
        expect(stop.code).toBe(0)
        expect(JSON.parse(stop.stdout).stopReason).toBe("manual")
        expect((await run("status")).stdout).toContain("no timer running")

        const logged = await run("log", "acme_app", "1h30m", "--at", "09:00", "-m", "planning", "--json")
        expect(logged.code).toBe(0)
        expect(JSON.parse(logged.stdout)).toMatchObject({ durationSeconds: 5400, description: "planning" })
        const badDuration = await run("log", "acme-app", "soon")
        expect(badDuration.code).toBe(2)
        expect(badDuration.stderr).toContain("cannot read the duration")

        const csv = await run("report", "--csv")
        expect(csv.code).toBe(0)
        const [header, row] = csv.stdout.trim().split("\n")
        expect(header).toContain("projectName")
        expect(row).toContain("acme-app")
        const human = await run("report")
        expect(human.stdout).toContain("acme-app")

        const unknown = await runCli(cli, ["frobnicate"], { env, cwd: box.project })
        expect(unknown.code).toBe(2)
        expect(unknown.stderr).toContain("Invalid subcommand for clockme")
      })
    }), { timeout: 300_000 })
})
