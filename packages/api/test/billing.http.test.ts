import { expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { baseUrl, call, signUp, TestServerManualSweep } from "./lib/TestServer.js"

const setNow = (iso: string) => TestClock.setTime(Date.parse(iso))

/**
 * Alice, in New York (UTC-4 in June), bills in a shared EUR workspace whose default rate is 80.
 * Alpha has rate 100, its task Design 150, its task Build none; Beta has no rate.
 *
 *   #  start (UTC)          local day   project/task     min  billable  rate
 *   1  2026-06-01T14:00Z    Mon 06-01   Alpha/Design      90  yes       150  -> 225.00
 *   2  2026-06-02T14:00Z    Tue 06-02   Alpha             45  yes       100  ->  75.00
 *   3  2026-06-03T14,15,16h Wed 06-03   Alpha/Build    3x20  yes       100  -> 3 x 33.333 = 100.00 (not 99.99)
 *   4  2026-06-04T03:30Z    Wed 06-03   Beta              50  yes        80  ->  66.666...
 *   5  2026-06-07T14:00Z    Sun 06-07   Beta              30  no         80  ->   0
 *   6  2026-06-08T03:59Z    Sun 06-07   Alpha/Design      10  yes       150  ->  25.00
 *   7  2026-06-01T03:00Z    Sun 05-31   Beta              60  yes        80  (outside 06-01..06-07 in New York)
 */
const setup = Effect.gen(function*() {
  yield* setNow("2026-06-10T12:00:00Z")
  const base = yield* baseUrl
  const alice = yield* signUp()
  const bob = yield* signUp()
  const ws = yield* call(base, "POST", "/api/workspaces", {
    key: alice.key,
    body: { name: "Agency", currency: "EUR", defaultHourlyRate: 80 }
  })
  yield* call(base, "POST", `/api/workspaces/${ws.body.id}/activate`, { key: alice.key })
  const invite = yield* call(base, "POST", `/api/workspaces/${ws.body.id}/invites`, { key: alice.key })
  yield* call(base, "POST", "/api/workspaces/join", { key: bob.key, body: { code: invite.body.code } })
  yield* call(base, "POST", `/api/workspaces/${ws.body.id}/activate`, { key: bob.key })
  const me = yield* call(base, "PATCH", "/api/me", { key: alice.key, body: { timezone: "America/New_York" } })
  expect(me.status).toBe(200)
  const alpha = (yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "Alpha", hourlyRate: 100 } })).body
  const beta = (yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "Beta, Inc." } })).body
  const design = (yield* call(base, "POST", "/api/tasks", {
    key: alice.key,
    body: { projectId: alpha.id, name: "Design", hourlyRate: 150 }
  })).body
  const build = (yield* call(base, "POST", "/api/tasks", { key: alice.key, body: { projectId: alpha.id, name: "Build" } })).body
  const log = (key: string, projectId: string, startTime: string, durationMinutes: number, extra: object = {}) =>
    Effect.flatMap(
      call(base, "POST", "/api/entries", { key, body: { projectId, startTime, durationMinutes, ...extra } }),
      (reply) => reply.status === 201 ? Effect.succeed(reply.body) : Effect.dieMessage(JSON.stringify(reply.body))
    )
  yield* log(alice.key, alpha.id, "2026-06-01T14:00:00Z", 90, { taskId: design.id })
  yield* log(alice.key, alpha.id, "2026-06-02T14:00:00Z", 45)
  for (const hour of ["14", "15", "16"]) yield* log(alice.key, alpha.id, `2026-06-03T${hour}:00:00Z`, 20, { taskId: build.id })
  yield* log(alice.key, beta.id, "2026-06-04T03:30:00Z", 50)
  yield* log(alice.key, beta.id, "2026-06-07T14:00:00Z", 30, { billable: false })
  yield* log(alice.key, alpha.id, "2026-06-08T03:59:00Z", 10, { taskId: design.id })
  yield* log(alice.key, beta.id, "2026-06-01T03:00:00Z", 60)
  // Bob's time in the same workspace is his, not in Alice's report
  yield* log(bob.key, alpha.id, "2026-06-02T10:00:00Z", 480)
  const report = (query: string, key = alice.key) => call(base, "GET", `/api/reports?from=2026-06-01&to=2026-06-07${query}`, { key })
  return { base, alice, bob, alpha, beta, design, build, report, log }
})

layer(TestServerManualSweep, { timeout: 120_000 })("billing reports", (it) => {
  it.effect("by project: three rate levels, non-billable hours without amount, rounded once per line", () =>
    Effect.gen(function*() {
      const { alpha, beta, report } = yield* setup
      const reply = yield* report("")
      expect(reply.status).toBe(200)
      expect(reply.body).toMatchObject({
        from: "2026-06-01",
        to: "2026-06-07",
        timezone: "America/New_York",
        weekStart: "monday",
        currency: "EUR",
        groupBy: "project"
      })
      expect(reply.body.lines).toEqual(reply.body.projects)
      expect(reply.body.projects).toEqual([
        {
          projectId: alpha.id,
          projectName: "Alpha",
          taskId: null,
          taskName: null,
          date: null,
          hours: 3.42,
          billableHours: 3.42,
          rate: null,
          amount: 425,
          entries: 6,
          aiCostUsd: 0,
          unpricedModels: []
        },
        {
          projectId: beta.id,
          projectName: "Beta, Inc.",
          taskId: null,
          taskName: null,
          date: null,
          hours: 1.33,
          billableHours: 0.83,
          rate: 80,
          amount: 66.67,
          entries: 2,
          aiCostUsd: 0,
          unpricedModels: []
        }
      ])
      expect(reply.body.totals).toEqual({ hours: 4.75, billableHours: 4.25, amount: 491.67, entries: 8, aiCostUsd: 0, unpricedModels: [] })
    }))

  it.effect("by task, by day (timezone day boundaries), by week starting Monday and Sunday", () =>
    Effect.gen(function*() {
      const { alice, base, build, design, report } = yield* setup
      const byTask = yield* report("&groupBy=task")
      expect(byTask.body.lines.map((l: any) => [l.projectName, l.taskId, l.taskName, l.hours, l.rate, l.amount])).toEqual([
        ["Alpha", null, null, 0.75, 100, 75],
        ["Alpha", build.id, "Build", 1, 100, 100],
        ["Alpha", design.id, "Design", 1.67, 150, 250],
        ["Beta, Inc.", null, null, 1.33, 80, 66.67]
      ])
      expect(byTask.body.totals.amount).toBe(491.67)

      const byDay = yield* report("&groupBy=day")
      expect(byDay.body.lines.map((l: any) => [l.date, l.hours, l.billableHours, l.amount, l.entries])).toEqual([
        ["2026-06-01", 1.5, 1.5, 225, 1],
        ["2026-06-02", 0.75, 0.75, 75, 1],
        ["2026-06-03", 1.83, 1.83, 166.67, 4],
        ["2026-06-07", 0.67, 0.17, 25, 2]
      ])
      expect(byDay.body.totals).toEqual({ hours: 4.75, billableHours: 4.25, amount: 491.67, entries: 8, aiCostUsd: 0, unpricedModels: [] })

      const mondayWeeks = yield* report("&groupBy=week")
      expect(mondayWeeks.body.lines.map((l: any) => [l.date, l.hours, l.amount])).toEqual([["2026-06-01", 4.75, 491.67]])

      yield* call(base, "PATCH", "/api/me", { key: alice.key, body: { weekStart: "sunday" } })
      const sundayWeeks = yield* report("&groupBy=week")
      expect(sundayWeeks.body.weekStart).toBe("sunday")
      expect(sundayWeeks.body.lines.map((l: any) => [l.date, l.hours, l.amount, l.entries])).toEqual([
        ["2026-05-31", 4.08, 466.67, 6],
        ["2026-06-07", 0.67, 25, 2]
      ])

      // the same dates read in UTC: entry 7 moves in (Mon 06-01), entry 6 moves out (06-08), entry 4 is on 06-04
      yield* call(base, "PATCH", "/api/me", { key: alice.key, body: { timezone: "UTC" } })
      const utc = yield* report("&groupBy=day")
      expect(utc.body.lines.map((l: any) => [l.date, l.hours, l.amount])).toEqual([
        ["2026-06-01", 2.5, 305],
        ["2026-06-02", 0.75, 75],
        ["2026-06-03", 1, 100],
        ["2026-06-04", 0.83, 66.67],
        ["2026-06-07", 0.5, 0]
      ])
      expect(utc.body.totals).toEqual({ hours: 5.58, billableHours: 5.08, amount: 546.67, entries: 8, aiCostUsd: 0, unpricedModels: [] })
    }))

  it.effect("filters: projectId, taskId, billable; ids of another workspace are 404; bad values are 400", () =>
    Effect.gen(function*() {
      const { alpha, base, bob, design, report } = yield* setup
      const onlyAlpha = yield* report(`&projectId=${alpha.id}`)
      expect(onlyAlpha.body.projects.map((l: any) => l.projectName)).toEqual(["Alpha"])
      expect(onlyAlpha.body.totals).toEqual({ hours: 3.42, billableHours: 3.42, amount: 425, entries: 6, aiCostUsd: 0, unpricedModels: [] })
      const onlyDesign = yield* report(`&taskId=${design.id}`)
      expect(onlyDesign.body.totals).toEqual({ hours: 1.67, billableHours: 1.67, amount: 250, entries: 2, aiCostUsd: 0, unpricedModels: [] })
      const nonBillable = yield* report("&billable=false")
      expect(nonBillable.body.projects.map((l: any) => [l.projectName, l.hours, l.billableHours, l.amount])).toEqual([
        ["Beta, Inc.", 0.5, 0, 0]
      ])
      const billable = yield* report("&billable=true")
      expect(billable.body.totals).toEqual({ hours: 4.25, billableHours: 4.25, amount: 491.67, entries: 7, aiCostUsd: 0, unpricedModels: [] })

      // Bob's own report in the same workspace: only his 8 hours on Alpha at 100
      const bobs = yield* report("", bob.key)
      expect(bobs.body.projects.map((l: any) => [l.projectName, l.hours, l.amount])).toEqual([["Alpha", 8, 800]])

      const outsider = yield* signUp()
      const foreign = (yield* call(base, "POST", "/api/projects", { key: outsider.key, body: { name: "Theirs" } })).body
      const crossProject = yield* report(`&projectId=${foreign.id}`)
      expect(crossProject.status).toBe(404)
      expect(crossProject.body.code).toBe("project_not_found")
      const theirView = yield* report(`&projectId=${alpha.id}`, outsider.key)
      expect(theirView.status).toBe(404)
      const crossTask = yield* report(`&taskId=${design.id}`, outsider.key)
      expect(crossTask.status).toBe(404)
      expect(crossTask.body.code).toBe("task_not_found")
      for (const bad of ["&groupBy=month", "&billable=yes", "&projectId=abc", "&from=2026-02-30", "&format=pdf"]) {
        const reply = yield* report(bad)
        expect(reply.status, bad).toBe(400)
      }
      const reversed = yield* call(base, "GET", "/api/reports?from=2026-06-07&to=2026-06-01", { key: bob.key })
      expect(reversed.status).toBe(400)
      expect(reversed.body.message).toContain("to must not be before from")
      const noKey = yield* call(base, "GET", "/api/reports")
      expect(noKey.status).toBe(401)
    }))

  it.effect("CSV: header row, quoting, CRLF, a total row that adds up the column; by Accept or format", () =>
    Effect.gen(function*() {
      const { alice, base, report } = yield* setup
      const csv = yield* report("&format=csv")
      expect(csv.status).toBe(200)
      expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8")
      expect(csv.headers.get("content-disposition")).toBe(
        "attachment; filename=\"clockme-report-2026-06-01-2026-06-07-by-project.csv\""
      )
      expect(csv.body).toBe(
        "Project,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)\r\n" +
          "Alpha,3.42,3.42,,425.00,EUR,6,0.0000\r\n" +
          "\"Beta, Inc.\",1.33,0.83,80.00,66.67,EUR,2,0.0000\r\n" +
          "Total,4.75,4.25,,491.67,EUR,8,0.0000\r\n"
      )
      const accepted = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-07&groupBy=day", {
        key: alice.key,
        headers: { accept: "text/csv" }
      })
      expect(accepted.body).toBe(
        "Date,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)\r\n" +
          "2026-06-01,1.50,1.50,150.00,225.00,EUR,1,0.0000\r\n" +
          "2026-06-02,0.75,0.75,100.00,75.00,EUR,1,0.0000\r\n" +
          "2026-06-03,1.83,1.83,,166.67,EUR,4,0.0000\r\n" +
          "2026-06-07,0.67,0.17,,25.00,EUR,2,0.0000\r\n" +
          "Total,4.75,4.25,,491.67,EUR,8,0.0000\r\n"
      )
      const byTask = yield* report("&groupBy=task&format=csv")
      expect((byTask.body as string).split("\r\n")[0]).toBe("Project,Task,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)")
      expect((byTask.body as string).split("\r\n")).toContain("Alpha,(no task),0.75,0.75,100.00,75.00,EUR,1,0.0000")
      expect((byTask.body as string).split("\r\n")).toContain("Total,,4.75,4.25,,491.67,EUR,8,0.0000")
      // format=json wins over Accept; a browser's Accept gets JSON
      const json = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-07&format=json", {
        key: alice.key,
        headers: { accept: "text/csv" }
      })
      expect(json.body.totals.amount).toBe(491.67)
      const browser = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-07", {
        key: alice.key,
        headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" }
      })
      expect(browser.body.totals.amount).toBe(491.67)
    }))

  it.effect("a project name that looks like a formula is neutralised in CSV", () =>
    Effect.gen(function*() {
      const { alice, base, log, report } = yield* setup
      const evil = (yield* call(base, "POST", "/api/projects", { key: alice.key, body: { name: "=HYPERLINK(\"x\")" } })).body
      yield* log(alice.key, evil.id, "2026-06-05T14:00:00Z", 60)
      const csv = yield* report(`&projectId=${evil.id}&format=csv`)
      expect((csv.body as string).split("\r\n")[1]).toBe("\"'=HYPERLINK(\"\"x\"\")\",1.00,1.00,80.00,80.00,EUR,1,0.0000")
    }))

  it.effect("JPY has no minor unit: the line is rounded once to whole yen", () =>
    Effect.gen(function*() {
      yield* setNow("2026-06-10T12:00:00Z")
      const base = yield* baseUrl
      const { key, user } = yield* signUp()
      const patched = yield* call(base, "PATCH", `/api/workspaces/${user.activeWorkspaceId}`, {
        key,
        body: { currency: "JPY", defaultHourlyRate: 1234.5 }
      })
      expect(patched.status).toBe(200)
      const project = (yield* call(base, "POST", "/api/projects", { key, body: { name: "Tokyo" } })).body
      // 20 min -> 411.5 and 10 min -> 205.75: rounded per entry that would be 412 + 206 = 618; exact is 617.25
      for (const [start, minutes] of [["2026-06-02T01:00:00Z", 20], ["2026-06-02T02:00:00Z", 10]] as const) {
        const created = yield* call(base, "POST", "/api/entries", { key, body: { projectId: project.id, startTime: start, durationMinutes: minutes } })
        expect(created.status).toBe(201)
      }
      const reply = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-30", { key })
      expect(reply.body.currency).toBe("JPY")
      expect(reply.body.projects[0]).toMatchObject({ hours: 0.5, rate: 1234.5, amount: 617 })
      expect(reply.body.totals.amount).toBe(617)
      const csv = yield* call(base, "GET", "/api/reports?from=2026-06-01&to=2026-06-30&format=csv", { key })
      expect(csv.body).toBe(
        "Project,Hours,Billable hours,Rate,Amount,Currency,Entries,AI cost (USD)\r\n" +
          "Tokyo,0.50,0.50,1234.50,617,JPY,2,0.0000\r\n" +
          "Total,0.50,0.50,,617,JPY,2,0.0000\r\n"
      )
    }))
})
