import { afterAll, describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Browser, Page } from "playwright-core"
import { inject } from "vitest"
import { launchBrowser, visit } from "./lib/Browser.js"
import { ownerKey, postgresDatabase, request, root, startServer, tempDataDir } from "./lib/Process.js"
import type { RunningServer } from "./lib/Process.js"

const screenshots = path.join(root, ".tmp", "screenshots")

const shoot = async (page: Page, name: string) => {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 })
    await page.screenshot({ path: path.join(screenshots, `${name}-${width}.png`), fullPage: true })
  }
  await page.setViewportSize({ width: 1280, height: 844 })
}

const addDays = (date: string, days: number) => {
  const [y, m, d] = date.split("-").map(Number)
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10)
}

/** Week, Projects and Reports in Chromium against the built server: what a person does with their time. */
describe("the dashboard's week, projects and reports", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("tracks and logs time in the week, budgets a project, reports it and downloads the CSV", async () => {
    fs.mkdirSync(screenshots, { recursive: true })
    const dataDir = tempDataDir("web-pages")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    let env: Record<string, string> = {}
    if (serverUrl) {
      const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "web_pages")
      cleanups.push(database.drop)
      env = { DATABASE_URL: database.url }
    }
    const server: RunningServer = await startServer(dataDir, 180_000, env)
    cleanups.push(() => server.stop("SIGKILL"))
    const key = ownerKey(server)
    const link = /^ {2}(http:\/\/\S+\/set-password#token=[A-Za-z0-9_-]+)$/m.exec(server.output())![1]!

    const browser: Browser = await launchBrowser()
    cleanups.push(() => browser.close())
    const { errors, page, requests } = await visit(browser, link)
    await page.setViewportSize({ width: 1280, height: 844 })
    const password = "a long owner passphrase"
    await page.getByLabel("New password").fill(password)
    await page.getByLabel("The same password again").fill(password)
    await page.getByRole("button", { name: "Set password" }).click()
    await page.getByLabel("Email").fill("owner@clockme.local")
    await page.getByLabel("Password").fill(password)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("heading", { name: "Timers" }).waitFor()
    const open = async (name: string) => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click()
      await page.getByRole("heading", { name, level: 1 }).waitFor()
    }

    // a timer started and stopped shows in this week, on today
    await page.getByLabel("Project").fill("week-work")
    await page.getByRole("button", { name: "Start", exact: true }).click()
    await page.getByRole("button", { name: "Stop week-work" }).click()
    await page.getByRole("button", { name: "Stop week-work" }).waitFor({ state: "detached" })
    const dashboard = (await request(server.base, "GET", "/api/dashboard", { key })).body
    const today: string = dashboard.today.from
    await open("Week")
    const day = (date: string) => page.locator(`li.day:has(#day-${date})`)
    await day(today).getByText("week-work").waitFor()

    // a project with an hours budget, created here, shows its budget bar
    await open("Projects")
    const create = page.getByRole("form", { name: "New project" })
    await create.getByLabel("Name").fill("Budgeted")
    await create.getByLabel("Hourly rate").fill("100")
    await create.getByLabel("Budget hours").fill("2")
    await create.getByRole("button", { name: "Create project" }).click()
    const budgeted = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Budgeted" }) })
    await budgeted.getByRole("meter", { name: "Hours budget used" }).waitFor()
    await budgeted.getByText("0.00 / 2 h · 0%").waitFor()
    // the server's refusal is shown as it gave it
    await create.getByLabel("Name").fill("budgeted")
    await create.getByRole("button", { name: "Create project" }).click()
    await create.getByRole("alert").waitFor()
    expect(await create.getByRole("alert").textContent()).toMatch(/budgeted/i)
    // a task is added and completed
    await budgeted.getByText("Tasks of Budgeted").click()
    await budgeted.getByLabel("Task name").fill("Write the guide")
    await budgeted.getByRole("button", { name: "Add task" }).click()
    await budgeted.getByRole("button", { name: "Complete Write the guide" }).click()
    await budgeted.getByText("done").waitFor()

    // time logged by hand last week (keyboard only to get there), then edited: the day and week totals follow
    await open("Week")
    await page.getByRole("button", { name: "Previous week" }).focus()
    await page.keyboard.press("Enter")
    const lastWeek = addDays(dashboard.week.from, -7)
    await day(lastWeek).waitFor()
    const log = page.getByRole("form", { name: "Log time" })
    await log.getByLabel("Project").selectOption({ label: "Budgeted" })
    expect(await log.getByLabel("Day").inputValue()).toBe(lastWeek)
    await log.getByLabel("Start").fill("09:00")
    await log.getByLabel("Minutes").fill("90")
    await log.getByRole("button", { name: "Log time" }).click()
    await log.getByText("Logged 1:30 h.").waitFor()
    await day(lastWeek).locator(".day-total").getByText("1:30", { exact: true }).waitFor()
    expect(await page.getByTestId("week-total").textContent()).toBe("1:30")
    await day(lastWeek).getByRole("button", { name: "Edit Budgeted at 09:00" }).click()
    const edit = day(lastWeek).getByRole("form", { name: "Edit Budgeted at 09:00" })
    await edit.getByLabel("Minutes").fill("105")
    await edit.getByRole("button", { name: "Save" }).click()
    await day(lastWeek).locator(".day-total").getByText("1:45", { exact: true }).waitFor()
    // a second block, deleted again
    await log.getByLabel("Start").fill("13:00")
    await log.getByLabel("Minutes").fill("30")
    await log.getByRole("button", { name: "Log time" }).click()
    await day(lastWeek).locator(".day-total").getByText("2:15", { exact: true }).waitFor()
    await day(lastWeek).getByRole("button", { name: "Delete Budgeted at 13:00" }).click()
    await day(lastWeek).getByRole("button", { name: "Really delete Budgeted at 13:00" }).click()
    await day(lastWeek).locator(".day-total").getByText("1:45", { exact: true }).waitFor()
    expect(await page.getByTestId("week-total").textContent()).toBe("1:45")
    await page.getByRole("figure").filter({ hasText: "Hours per day" }).locator("canvas").first().waitFor()
    await shoot(page, "week")
    // the server refuses time more than a day ahead, and says why
    await page.getByRole("button", { name: "This week" }).click()
    await page.getByRole("button", { name: "Next week" }).click()
    await page.getByRole("button", { name: "Next week" }).click()
    await log.getByLabel("Project").selectOption({ label: "Budgeted" })
    await log.getByRole("button", { name: "Log time" }).click()
    await log.getByRole("alert").getByText("startTime is more than a day in the future").waitFor()

    // the budget bar now warns: 1.75 of 2 hours
    await open("Projects")
    await budgeted.getByText("1.75 / 2 h · 87.5% · warning").waitFor()
    await shoot(page, "projects")
    // and shows over once the time passes the limit (logged elsewhere, seen on the next visit)
    const projects = (await request(server.base, "GET", "/api/projects", { key })).body as ReadonlyArray<{ id: string; name: string }>
    const logged = await request(server.base, "POST", "/api/entries", {
      key,
      body: { projectId: projects.find((p) => p.name === "Budgeted")!.id, startTime: `${lastWeek}T14:00:00Z`, durationMinutes: 30 }
    })
    expect(logged.status).toBe(201)
    await open("Week")
    await open("Projects")
    await budgeted.getByText("2.25 / 2 h · 112.5% · over budget").waitFor()
    expect(await budgeted.locator(".budget").getAttribute("class")).toBe("budget over")

    // the report over both weeks, by project, in the workspace currency, and its CSV
    await open("Reports")
    await page.getByRole("link", { name: "Download CSV" }).waitFor()
    await page.getByLabel("From").fill(lastWeek)
    await page.getByLabel("To").fill(today)
    await page.getByRole("button", { name: "Run report" }).click()
    const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Budgeted" }) })
    await row.getByText("2.25").first().waitFor()
    await row.getByText("$225.00").waitFor()
    await shoot(page, "reports")
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()])
    expect(download.suggestedFilename()).toBe(`clockme-report-${lastWeek}-${today}-by-project.csv`)
    const csv = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/)
    expect(csv[0]).toBe("Project,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)")
    expect(csv).toContain("Budgeted,2.25,2.25,100.00,225.00,USD,2,0.0000")
    expect(csv.at(-1)).toMatch(/^Total,2\.25,2\.25,,225\.00,USD,3,0\.0000$/)
    // by member: the team summary
    await page.getByLabel("Group by").selectOption("member")
    await page.getByRole("button", { name: "Run report" }).click()
    await page.getByRole("rowheader", { name: /owner@clockme\.local/ }).waitFor()

    // a member of a shared workspace: rates, budgets and archiving are the owners', so disabled and hidden
    const shared = await request(server.base, "POST", "/api/workspaces", { key, body: { name: "Agency" } })
    expect(shared.status).toBe(201)
    const invite = await request(server.base, "POST", `/api/workspaces/${shared.body.id}/invites`, { key, body: {} })
    expect(invite.status).toBe(201)
    const memberContext = await browser.newContext()
    cleanups.push(() => memberContext.close())
    const joined = await memberContext.request.post(`${server.base}/api/session/invite`, {
      data: { code: invite.body.code, name: "Mia Member", email: "mia@example.com", password: "a long member passphrase" }
    })
    expect(joined.status()).toBe(201)
    const memberPage = await memberContext.newPage()
    await memberPage.goto(`${server.base}/projects`)
    await memberPage.getByText("Only the workspace's owners change rates").waitFor()
    const memberForm = memberPage.getByRole("form", { name: "New project" })
    for (const label of ["Hourly rate", "Budget hours", "Budget amount", "Budget period", "Billable"]) {
      expect(await memberForm.getByLabel(label).isDisabled()).toBe(true)
    }
    expect(await memberForm.getByLabel("Name").isDisabled()).toBe(false)

    // no console errors or CSP violations but the failed loads of the answers provoked above: the signed-out
    // probe (401), the taken name (409) and the start too far ahead (400)
    const provoked = /^Failed to load resource: the server responded with a status of (401|409|400) /
    expect(errors.filter((error) => !provoked.test(error))).toEqual([])
    expect(requests.filter((url) => !url.startsWith(`${server.base}/`) && !url.startsWith("data:"))).toEqual([])
  }, 300_000)
})
