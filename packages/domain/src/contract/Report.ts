import { Schema } from "effect"
import { CalendarDate } from "./CalendarDate.js"
import { CsvDocument, fixed, ReportFormat, toCsv } from "./Csv.js"
import type { Cell } from "./Csv.js"
import { ProjectId, TaskId } from "./Ids.js"
import { minorUnits } from "./Money.js"
import { WeekStart } from "./User.js"

export const GroupBy = Schema.Literal("project", "task", "day", "week").annotations({
  description: "project (default), task, day, or week (weeks start on your weekStart); days are in your timezone"
})
export type GroupBy = typeof GroupBy.Type

export const ReportQuery = Schema.Struct({
  from: Schema.optional(CalendarDate),
  to: Schema.optional(CalendarDate),
  projectId: Schema.optional(ProjectId),
  taskId: Schema.optional(TaskId),
  billable: Schema.optional(
    Schema.Literal("true", "false").pipe(
      Schema.transform(Schema.Boolean, { strict: true, decode: (s) => s === "true", encode: (b) => b ? "true" : "false" })
    )
  ).annotations({ description: "true: billable entries only; false: non-billable only" }),
  groupBy: Schema.optional(GroupBy),
  format: Schema.optional(ReportFormat)
})
export type ReportQuery = typeof ReportQuery.Type

/** The query of the CSV download: the report's, without the format switch. */
export const ReportCsvQuery = ReportQuery.omit("format")

export class ReportLine extends Schema.Class<ReportLine>("ReportLine")({
  projectId: Schema.NullOr(ProjectId),
  projectName: Schema.NullOr(Schema.String),
  taskId: Schema.NullOr(TaskId),
  taskName: Schema.NullOr(Schema.String),
  date: Schema.NullOr(CalendarDate).annotations({ description: "The day, or the first day of the week" }),
  hours: Schema.Number,
  billableHours: Schema.Number,
  rate: Schema.NullOr(Schema.Number).annotations({
    description: "The hourly rate when every entry of the line has the same one (task, else project, else workspace); null when mixed or unset"
  }),
  amount: Schema.Number.annotations({ description: "Billable hours times their rates, rounded once to the currency's minor unit" }),
  entries: Schema.Number,
  aiCostUsd: Schema.Number.annotations({
    description: "What the AI requests of the line's entries cost, in US dollars to six decimals (see usage on entries)"
  }),
  unpricedModels: Schema.Array(Schema.String).annotations({
    description: "Models of the line's AI requests that reported no cost and are missing from the price table: aiCostUsd leaves them out"
  })
}) {}

export class BillingReport extends Schema.Class<BillingReport>("BillingReport")({
  from: CalendarDate,
  to: CalendarDate,
  timezone: Schema.String,
  weekStart: WeekStart,
  currency: Schema.String,
  groupBy: GroupBy,
  projects: Schema.Array(ReportLine).annotations({ description: "The summary by project" }),
  lines: Schema.Array(ReportLine).annotations({ description: "The summary grouped by groupBy" }),
  totals: Schema.Struct({
    hours: Schema.Number,
    billableHours: Schema.Number,
    amount: Schema.Number.annotations({ description: "The sum of the lines' rounded amounts" }),
    entries: Schema.Number,
    aiCostUsd: Schema.Number.annotations({ description: "The sum of the lines' AI cost, in US dollars" }),
    unpricedModels: Schema.Array(Schema.String).annotations({ description: "Every line's unpriced models, alphabetically" })
  })
}) {}

const keyColumns: Record<GroupBy, ReadonlyArray<string>> = {
  project: ["Project"],
  task: ["Project", "Task"],
  day: ["Date"],
  week: ["Week starting"]
}

const keyCells = (groupBy: GroupBy, line: ReportLine): Array<Cell> => {
  switch (groupBy) {
    case "project":
      return [line.projectName]
    case "task":
      return [line.projectName, line.taskName ?? "(no task)"]
    case "day":
    case "week":
      return [line.date]
  }
}

/** The report as a spreadsheet: one row per line, then a total row that adds up the column above it. */
export const reportCsv = (report: BillingReport): CsvDocument => {
  const scale = minorUnits(report.currency)
  return new CsvDocument({
    filename: `clockme-report-${report.from}-${report.to}-by-${report.groupBy}.csv`,
    content: toCsv(
      [...keyColumns[report.groupBy], "Hours", "Billable hours", "Rate", "Amount", "Currency", "Entries", "AI cost (USD)"],
      [
        ...report.lines.map((line) => [
          ...keyCells(report.groupBy, line),
          fixed(line.hours, 2),
          fixed(line.billableHours, 2),
          line.rate === null ? null : fixed(line.rate, 2),
          fixed(line.amount, scale),
          report.currency,
          line.entries,
          fixed(line.aiCostUsd, 4)
        ]),
        [
          "Total",
          ...keyColumns[report.groupBy].slice(1).map(() => null),
          fixed(report.totals.hours, 2),
          fixed(report.totals.billableHours, 2),
          null,
          fixed(report.totals.amount, scale),
          report.currency,
          report.totals.entries,
          fixed(report.totals.aiCostUsd, 4)
        ]
      ]
    )
  })
}
