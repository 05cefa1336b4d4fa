import { Schema } from "effect"
import { CalendarDate } from "./CalendarDate.js"
import { ReportFormat } from "./Csv.js"
import { ProjectId, TaskId } from "./Ids.js"
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
  entries: Schema.Number
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
    entries: Schema.Number
  })
}) {}
