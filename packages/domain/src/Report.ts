import { Schema } from "effect"
import { CalendarDate } from "./CalendarDate.js"
import { ProjectId } from "./Ids.js"

export const ReportQuery = Schema.Struct({
  from: Schema.optional(CalendarDate),
  to: Schema.optional(CalendarDate)
})
export type ReportQuery = typeof ReportQuery.Type

export class ReportLine extends Schema.Class<ReportLine>("ReportLine")({
  projectId: ProjectId,
  projectName: Schema.String,
  hours: Schema.Number,
  billableHours: Schema.Number,
  rate: Schema.NullOr(Schema.Number),
  amount: Schema.Number,
  entries: Schema.Number
}) {}

export class BillingReport extends Schema.Class<BillingReport>("BillingReport")({
  from: CalendarDate,
  to: CalendarDate,
  timezone: Schema.String,
  currency: Schema.String,
  projects: Schema.Array(ReportLine),
  totals: Schema.Struct({
    hours: Schema.Number,
    billableHours: Schema.Number,
    amount: Schema.Number,
    entries: Schema.Number
  })
}) {}
