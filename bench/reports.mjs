// Reports on a generated history of a million entries: ClockMe's answer over HTTP against the same aggregate
// as one hand-written SQL statement sent by a client on the same database, each the median of `runs` after a
// warm-up. The history is one member's view (their reports and entry pages) and the owner's (the summary).
import { median } from "./process.mjs"

const day = (date) => date.toISOString().slice(0, 10)
const daysBefore = (date, days) => new Date(date.getTime() - days * 86400_000)

const timeIt = async (runs, f) => {
  await f()
  const times = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await f()
    times.push(performance.now() - started)
  }
  return median(times)
}

const getJson = async (url, key) => {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
  const body = await response.json()
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`)
  return body
}

/** The report grouped by project, as one statement: the rate chain (task, project, workspace) and AI cost. */
const reportSql = `
  SELECT e.project_id, max(p.name) AS name, sum(e.duration_seconds) AS seconds,
         sum(e.duration_seconds) FILTER (WHERE e.billable) AS billable_seconds,
         round(sum(e.duration_seconds * coalesce(t.hourly_rate, p.hourly_rate, w.default_hourly_rate, 0))
               FILTER (WHERE e.billable) / 3600, 2) AS amount,
         count(*) AS entries, coalesce(sum(a.cost), 0) AS ai_cost
  FROM entries e
  JOIN projects p ON p.id = e.project_id
  JOIN workspaces w ON w.id = e.workspace_id
  LEFT JOIN tasks t ON t.id = e.task_id
  LEFT JOIN (SELECT timer_id, sum(cost_usd) AS cost FROM ai_usage GROUP BY timer_id) a ON a.timer_id = e.timer_id
  WHERE e.user_id = $1 AND e.workspace_id = $2 AND e.start_time >= $3::date AND e.start_time < $4::date + 1
  GROUP BY e.project_id`

const summarySql = `
  SELECT e.user_id, e.project_id, sum(e.duration_seconds) AS seconds,
         sum(e.duration_seconds) FILTER (WHERE e.billable) AS billable_seconds, count(*) AS entries
  FROM entries e
  WHERE e.workspace_id = $1 AND e.start_time >= $2::date AND e.start_time < $3::date + 1
  GROUP BY GROUPING SETS ((e.user_id), (e.project_id), (e.user_id, e.project_id))`

const pageSql = `
  SELECT * FROM entries WHERE workspace_id = $1 AND user_id = $2 AND ($3::timestamptz IS NULL OR (start_time, id) < ($3, $4::uuid))
  ORDER BY start_time DESC, id DESC LIMIT 500`

const periodsOf = (end) => {
  const to = day(daysBefore(end, 1))
  return {
    to,
    reports: [
      { what: "month", from: day(daysBefore(end, 30)) },
      { what: "year", from: day(daysBefore(end, 365)) },
      { what: "all time", from: day(daysBefore(end, 365 * 3 + 30)) }
    ],
    summaryFrom: day(daysBefore(end, 365))
  }
}

const tail = (xs) => median(xs.slice(-10))
const head = (xs) => median(xs.slice(0, 10))

/** ClockMe's side: each figure in ms, keyed by what it measures, with the entries each report counted. */
export const clockmeReportTimes = async ({ base, history, end, runs = 5 }) => {
  const member = history.users[1] ?? history.users[0]
  const owner = history.users[0]
  const { reports, summaryFrom, to } = periodsOf(end)
  const times = {}
  for (const period of reports) {
    const url = `${base}/api/reports?groupBy=project&from=${period.from}&to=${to}`
    const report = await getJson(url, member.key)
    times[`report ${period.what}`] = {
      ms: await timeIt(runs, () => getJson(url, member.key)),
      entries: report.lines.reduce((n, l) => n + l.entries, 0)
    }
  }
  const summary = `${base}/api/workspaces/${history.workspaceId}/summary?from=${summaryFrom}&to=${to}`
  times.summary = { ms: await timeIt(runs, () => getJson(summary, owner.key)) }
  const pages = []
  let cursor = null
  do {
    const url = `${base}/api/entries?limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
    let page
    pages.push(await timeIt(1, async () => (page = await getJson(url, member.key))))
    cursor = page.nextCursor
  } while (cursor !== null)
  times["pages first"] = { ms: head(pages), entries: pages.length }
  times["pages last"] = { ms: tail(pages), entries: pages.length }
  return times
}

/** The hand-written side: the same aggregates and pages as single statements on the same database. */
export const sqlReportTimes = async ({ db, history, end, runs = 5 }) => {
  const member = history.users[1] ?? history.users[0]
  const { reports, summaryFrom, to } = periodsOf(end)
  const times = {}
  for (const period of reports) {
    const args = [member.id, history.workspaceId, period.from, to]
    const raw = await db.query(reportSql, args)
    times[`report ${period.what}`] = {
      ms: await timeIt(runs, () => db.query(reportSql, args)),
      entries: raw.rows.reduce((n, r) => n + Number(r.entries), 0)
    }
  }
  times.summary = { ms: await timeIt(runs, () => db.query(summarySql, [history.workspaceId, summaryFrom, to])) }
  const pages = []
  let after = [null, null]
  for (;;) {
    let result
    pages.push(await timeIt(1, async () => (result = await db.query(pageSql, [history.workspaceId, member.id, ...after]))))
    if (result.rows.length < 500) break
    const last = result.rows[result.rows.length - 1]
    after = [last.start_time, last.id]
  }
  times["pages first"] = { ms: head(pages), entries: pages.length }
  times["pages last"] = { ms: tail(pages), entries: pages.length }
  return times
}

/** Rows of the table: both sides of each figure and their ratio; a report that counted other entries throws. */
export const reportRows = (clockme, sql) =>
  Object.keys(clockme).map((key) => {
    if (key.startsWith("report") && clockme[key].entries !== sql[key].entries) {
      throw new Error(`${key}: ClockMe counted ${clockme[key].entries} entries, the statement ${sql[key].entries}`)
    }
    const what = key.startsWith("report")
      ? `GET /api/reports, ${key.slice(7)} (${clockme[key].entries} entries)`
      : key === "summary"
      ? "GET /api/workspaces/{id}/summary, year"
      : `GET /api/entries, ${key === "pages first" ? "first" : "last"} 10 of ${clockme[key].entries} pages of 500 (median)`
    return { what, clockme: clockme[key].ms, baseline: sql[key].ms, ratio: clockme[key].ms / sql[key].ms }
  })
