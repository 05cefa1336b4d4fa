import { ReportsApi } from "@clockme/domain/contract/api/ReportsApi"
import { WorkspacesApi } from "@clockme/domain/contract/api/WorkspacesApi"
import { reportCsv } from "@clockme/domain/contract/Report"
import type { BillingReport, GroupBy } from "@clockme/domain/contract/Report"
import { summaryCsv } from "@clockme/domain/contract/Workspace"
import type { TeamSummary } from "@clockme/domain/contract/Workspace"
import { Either } from "effect"
import { useEffect, useRef, useState } from "preact/hooks"
import "../views.css"
import { call } from "../Client.js"
import { Field, Notice, Select } from "../Form.js"
import { dayLabel } from "../Time.js"
import { useActiveWorkspace } from "../Workspace.js"

type Grouping = GroupBy | "member"
type Billable = "all" | "true" | "false"

const groupings: ReadonlyArray<{ readonly value: Grouping; readonly label: string }> = [
  { value: "project", label: "Project" },
  { value: "task", label: "Task" },
  { value: "day", label: "Day" },
  { value: "week", label: "Week" },
  { value: "member", label: "Member (team summary)" }
]

// the contract declares both routes: a missing one is a build mistake, which the page shows as a dead link
const billingCsvPath = ReportsApi.endpoints.billingCsv?.path ?? ""
const summaryCsvPath = WorkspacesApi.endpoints.summaryCsv?.path ?? ""

/** The CSV routes of the contract, with the query: a same-origin link that carries the session cookie. */
const csvHref = (grouping: Grouping, from: string, to: string, billable: Billable, workspaceId: string | undefined) => {
  const query = new URLSearchParams({ from, to })
  if (grouping === "member") {
    return `${summaryCsvPath.replace(":id", workspaceId ?? "")}?${query}`
  }
  query.set("groupBy", grouping)
  if (billable !== "all") query.set("billable", billable)
  return `${billingCsvPath}?${query}`
}

const hours = (value: number) => value.toFixed(2)

export const Reports = () => {
  const workspace = useActiveWorkspace()
  const [from, setFrom] = useState("")
  const [to, setTo] = useState("")
  const [grouping, setGrouping] = useState<Grouping>("project")
  const [billable, setBillable] = useState<Billable>("all")
  const [report, setReport] = useState<BillingReport | null>(null)
  const [summary, setSummary] = useState<TeamSummary | null>(null)
  /** The query of the table shown, which the CSV link repeats (the form may have changed since). */
  const [shown, setShown] = useState<{ readonly grouping: Grouping; readonly billable: Billable } | null>(null)
  const [error, setError] = useState<string | null>(null)

  /** Only the latest run's answer shows: the first (this month) may arrive after a range the person asked for. */
  const latest = useRef(0)

  const run = async (event?: Event) => {
    event?.preventDefault()
    const ticket = ++latest.current
    const range = from === "" ? {} : { from, to }
    if (grouping === "member") {
      if (workspace === null) return
      const result = await call((api) => api.workspaces.summary({ path: { id: workspace.id }, urlParams: range, headers: {} }))
      if (ticket !== latest.current) return
      if (Either.isLeft(result)) return setError(result.left.message)
      setError(null)
      setReport(null)
      setShown({ grouping, billable: "all" })
      return setSummary(result.right)
    }
    const urlParams = { ...range, groupBy: grouping, ...(billable === "all" ? {} : { billable: billable === "true" }) }
    const result = await call((api) => api.reports.billing({ urlParams, headers: {} }))
    if (ticket !== latest.current) return
    if (Either.isLeft(result)) return setError(result.left.message)
    setError(null)
    setSummary(null)
    setReport(result.right)
    setShown({ grouping, billable })
    // the range the server chose (this month) fills the inputs, never over days the person typed meanwhile
    setFrom((current) => current === "" ? result.right.from : current)
    setTo((current) => current === "" ? result.right.to : current)
  }
  useEffect(() => void run(), [])

  const currency = report?.currency ?? workspace?.currency ?? "USD"
  const money = (value: number) => new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value)

  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <form class="card" onSubmit={run} aria-label="Report">
        <div class="row">
          <Field label="From" name="from" type="date" required value={from} onInput={setFrom} />
          <Field label="To" name="to" type="date" required value={to} onInput={setTo} />
          <Select label="Group by" name="groupBy" value={grouping} options={groupings} onInput={(value) => setGrouping(value as Grouping)} />
          <Select
            label="Billable"
            name="billable"
            value={billable}
            disabled={grouping === "member"}
            options={[{ value: "all", label: "All" }, { value: "true", label: "Billable only" }, { value: "false", label: "Non-billable only" }]}
            onInput={(value) => setBillable(value as Billable)}
          />
        </div>
        <button type="submit" class="primary">Run report</button>
      </form>
      {error !== null && <Notice kind="error">{error}</Notice>}
      {report !== null && <BillingTable report={report} money={money} />}
      {summary !== null && <SummaryTable summary={summary} />}
      {report !== null && shown !== null && (
        <a class="download" href={csvHref(shown.grouping, report.from, report.to, shown.billable, workspace?.id)} download={reportCsv(report).filename}>
          Download CSV
        </a>
      )}
      {summary !== null && (
        <a class="download" href={csvHref("member", summary.from, summary.to, "all", workspace?.id)} download={summaryCsv(summary).filename}>
          Download CSV
        </a>
      )}
    </section>
  )
}

const BillingTable = (props: { readonly report: BillingReport; readonly money: (value: number) => string }) => {
  const { report } = props
  const aiCost = report.lines.some((line) => line.aiCostUsd > 0)
  const task = report.groupBy === "task"
  const key = (line: BillingReport["lines"][number]) =>
    report.groupBy === "project" || task ? line.projectName ?? "?" : line.date === null ? "?" : dayLabel(line.date)
  const usd = (value: number) => `$${value.toFixed(4)}`
  return (
    <div class="table-wrap">
      <table class="report">
        <caption>{dayLabel(report.from)} – {dayLabel(report.to)}, by {report.groupBy}, in {report.currency}</caption>
        <thead>
          <tr>
            <th scope="col">{report.groupBy === "project" || task ? "Project" : report.groupBy === "day" ? "Day" : "Week of"}</th>
            {task && <th scope="col">Task</th>}
            <th scope="col" class="num">Hours</th>
            <th scope="col" class="num">Billable hours</th>
            <th scope="col" class="num">Amount</th>
            <th scope="col" class="num">Entries</th>
            {aiCost && <th scope="col" class="num">AI cost (USD)</th>}
          </tr>
        </thead>
        <tbody>
          {report.lines.length === 0 && <tr><td colSpan={7} class="muted">No time in this range.</td></tr>}
          {report.lines.map((line, index) => (
            <tr key={index}>
              <th scope="row">{key(line)}</th>
              {task && <td>{line.taskName ?? "(no task)"}</td>}
              <td class="num">{hours(line.hours)}</td>
              <td class="num">{hours(line.billableHours)}</td>
              <td class="num">{props.money(line.amount)}</td>
              <td class="num">{line.entries}</td>
              {aiCost && <td class="num">{usd(line.aiCostUsd)}</td>}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {task && <td />}
            <td class="num">{hours(report.totals.hours)}</td>
            <td class="num">{hours(report.totals.billableHours)}</td>
            <td class="num">{props.money(report.totals.amount)}</td>
            <td class="num">{report.totals.entries}</td>
            {aiCost && <td class="num">{usd(report.totals.aiCostUsd)}</td>}
          </tr>
        </tfoot>
      </table>
    </div>
  )
}

const SummaryTable = (props: { readonly summary: TeamSummary }) => (
  <div class="table-wrap">
    <table class="report">
      <caption>{dayLabel(props.summary.from)} – {dayLabel(props.summary.to)}, by member</caption>
      <thead>
        <tr>
          <th scope="col">Member</th>
          <th scope="col" class="num">Hours</th>
          <th scope="col" class="num">Billable hours</th>
          <th scope="col" class="num">Entries</th>
        </tr>
      </thead>
      <tbody>
        {props.summary.byMember.map((member) => (
          <tr key={member.userId}>
            <th scope="row">{member.name} <span class="muted">{member.email}</span></th>
            <td class="num">{hours(member.hours)}</td>
            <td class="num">{hours(member.billableHours)}</td>
            <td class="num">{member.entries}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td class="num">{hours(props.summary.totalHours)}</td>
          <td class="num">{hours(props.summary.totalBillableHours)}</td>
          <td class="num">{props.summary.totalEntries}</td>
        </tr>
      </tfoot>
    </table>
  </div>
)
