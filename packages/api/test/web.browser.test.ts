import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import type { Browser } from "playwright-core"
import { inject } from "vitest"
import { launchBrowser, screenshots, shoot, visit } from "./lib/Browser.js"
import { ownerKey, postgresDatabase, request, startServer, tempDataDir } from "./lib/Process.js"
import type { RunningServer } from "./lib/Process.js"

/** The dashboard in Chromium against the built server, as a newcomer meets it after `npm start`. */
describe("the dashboard in a browser", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("sets the owner's password from the first-start link, signs in, runs timers live, and an ended session goes back to sign-in", async () => {
    fs.mkdirSync(screenshots, { recursive: true })
    const dataDir = tempDataDir("web")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    let env: Record<string, string> = {}
    if (serverUrl) {
      const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "web")
      cleanups.push(database.drop)
      env = { DATABASE_URL: database.url }
    }
    const server: RunningServer = await startServer(dataDir, 180_000, env)
    cleanups.push(() => server.stop("SIGKILL"))
    const key = ownerKey(server)
    const links = [...server.output().matchAll(/^ {2}(http:\/\/\S+\/set-password#token=[A-Za-z0-9_-]+)$/gm)].map((m) => m[1]!)
    expect(links).toHaveLength(1)
    expect(links[0]!.startsWith(`${server.base}/set-password#token=`)).toBe(true)

    const browser: Browser = await launchBrowser()
    cleanups.push(() => browser.close())
    const { errors, page, requests } = await visit(browser, links[0]!)
    await page.setViewportSize({ width: 1280, height: 844 })

    await page.getByRole("heading", { name: "Set your password" }).waitFor()
    await shoot(page, "set-password")
    const password = "a long owner passphrase"
    await page.getByLabel("New password").fill(password)
    await page.getByLabel("The same password again").fill(password)
    await page.getByRole("button", { name: "Set password" }).click()

    await page.getByRole("heading", { name: "Sign in to ClockMe" }).waitFor()
    await page.getByText("Your password is set").waitFor()
    await shoot(page, "sign-in")
    await page.getByLabel("Email").fill("owner@clockme.local")
    await page.getByLabel("Password").fill(password)
    await page.getByRole("button", { name: "Sign in" }).click()

    await page.getByRole("heading", { name: "Timers" }).waitFor()
    expect(new URL(page.url()).pathname).toBe("/timers")
    await page.getByText("Nothing is being tracked").waitFor()

    // quick start by name, then pause and resume it
    await page.getByLabel("Project").fill("dashboard-work")
    await page.getByRole("button", { name: "Start", exact: true }).click()
    const timer = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "dashboard-work" }) })
    await timer.waitFor()
    await timer.getByRole("button", { name: "Pause dashboard-work" }).click()
    await timer.getByRole("button", { name: "Resume dashboard-work" }).waitFor()
    await timer.getByRole("button", { name: "Resume dashboard-work" }).click()
    await timer.getByRole("button", { name: "Pause dashboard-work" }).waitFor()

    // a timer a hook starts elsewhere appears without a reload, with its evidence
    const hook = await request(server.base, "POST", "/api/timer/start", {
      key,
      body: { projectName: "hooked-repo", autoCreate: true, source: "hook", sessionId: "session-1" }
    })
    expect(hook.status).toBe(200)
    const hooked = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "hooked-repo" }) })
    await hooked.waitFor({ timeout: 15_000 })
    await hooked.getByText("hook", { exact: true }).waitFor()
    const evidence = (name: string) => hooked.locator(".evidence div", { has: page.locator("dt", { hasText: name }) }).locator("dd")
    expect(await evidence("Sessions").textContent()).toBe("1")
    expect(await evidence("Heartbeats").textContent()).toBe("0")
    await shoot(page, "timers")

    // stopping records the entry
    await timer.getByRole("button", { name: "Stop dashboard-work" }).click()
    await timer.waitFor({ state: "detached" })
    const entries = await request(server.base, "GET", "/api/entries", { key })
    expect(entries.status).toBe(200)
    const projects = await request(server.base, "GET", "/api/projects", { key })
    const project = (projects.body as ReadonlyArray<{ id: string; name: string }>).find((p) => p.name === "dashboard-work")
    expect(entries.body.entries).toEqual([
      expect.objectContaining({ projectId: project?.id, source: "web", pauses: 1, stopReason: "manual" })
    ])

    // every page of the navigation opens, at both widths
    for (const name of ["Week", "Projects", "Reports", "Team", "Settings", "Setup", "Explorer"]) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click()
      await page.getByRole("heading", { name, level: 1 }).waitFor()
      await shoot(page, name.toLowerCase())
    }
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Timers" }).click()
    await page.getByRole("heading", { name: "Timers" }).waitFor()

    // a session the server no longer knows (expired or revoked): the page's next poll sends the person to sign-in
    const context = page.context()
    const [cookie] = (await context.cookies()).filter((c) => c.name === "clockme_session")
    expect(cookie).toBeDefined()
    await context.addCookies([{ ...cookie!, value: "expired-session-token" }])
    await page.getByRole("heading", { name: "Sign in to ClockMe" }).waitFor({ timeout: 15_000 })
    expect(new URL(page.url()).pathname).toBe("/sign-in")

    // signing in again and out
    await page.getByLabel("Email").fill("owner@clockme.local")
    await page.getByLabel("Password").fill(password)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("heading", { name: "Timers" }).waitFor()
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByRole("heading", { name: "Sign in to ClockMe" }).waitFor()

    // a person's developer tools would show only this server, and nothing wrong (console errors, CSP violations);
    // the 401s are the expired session's and the signed-out probe's answers, which the browser logs as failed loads
    expect(errors.filter((error) => !/status of 401/.test(error))).toEqual([])
    expect(requests.filter((url) => !url.startsWith(`${server.base}/`) && !url.startsWith("data:"))).toEqual([])
  }, 300_000)
})
