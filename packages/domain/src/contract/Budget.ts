import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { EntryId, ProjectId, WorkspaceId } from "./Ids.js"
import { BudgetPeriod } from "./Project.js"

export const BudgetState = Schema.Literal("ok", "warning", "over").annotations({
  description: "ok below 80% of every limit; warning from 80%; over from 100%"
})
export type BudgetState = typeof BudgetState.Type

export const Threshold = Schema.Literal(80, 100)
export type Threshold = typeof Threshold.Type

export const BudgetMetric = Schema.Literal("hours", "amount")
export type BudgetMetric = typeof BudgetMetric.Type

export class BudgetUsage extends Schema.Class<BudgetUsage>("BudgetUsage")({
  limit: Schema.NullOr(Schema.Number).annotations({ description: "null when this budget is not set" }),
  used: Schema.Number,
  remaining: Schema.NullOr(Schema.Number).annotations({ description: "limit minus used; negative when overrun" }),
  percent: Schema.NullOr(Schema.Number).annotations({ description: "used as a percentage of the limit, two decimals" })
}) {}

export class BudgetAlert extends Schema.Class<BudgetAlert>("BudgetAlert")({
  id: Schema.UUID,
  workspaceId: WorkspaceId,
  projectId: ProjectId,
  projectName: Schema.String,
  threshold: Threshold,
  period: Schema.String.annotations({ description: "YYYY-MM for a monthly budget, \"total\" for an all-time one" }),
  metric: BudgetMetric,
  hoursUsed: Schema.Number,
  amountUsed: Schema.Number,
  entryId: Schema.NullOr(EntryId),
  createdAt: Schema.DateTimeUtc
}) {}

export class ProjectBudget extends Schema.Class<ProjectBudget>("ProjectBudget")({
  projectId: ProjectId,
  projectName: Schema.String,
  period: BudgetPeriod,
  periodKey: Schema.String,
  periodStart: Schema.NullOr(Schema.DateTimeUtc),
  periodEnd: Schema.NullOr(Schema.DateTimeUtc),
  currency: Schema.String,
  hours: BudgetUsage,
  amount: BudgetUsage,
  hardCap: Schema.Boolean,
  exhausted: Schema.Boolean.annotations({ description: "true when the hard cap is on and a limit is reached" }),
  status: BudgetState,
  alerts: Schema.Array(BudgetAlert)
}) {}

export class AlertList extends Schema.Class<AlertList>("AlertList")({
  alerts: Schema.Array(BudgetAlert)
}) {}

export class BudgetExhausted extends Schema.TaggedError<BudgetExhausted>()(
  "BudgetExhausted",
  { code: Schema.tag("budget_exhausted"), projectId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 422, description: "The project's budget is spent and its hard cap is on" })
) {
  static readonly nextStep = (): string =>
    "Track this time on another project, or ask a workspace owner to raise budgetHours or budgetAmount or to " +
    "turn budgetHardCap off (clockme_update_project)."
}
