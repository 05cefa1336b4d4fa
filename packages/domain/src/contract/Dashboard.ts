import { Schema } from "effect"
import { ProjectBudget } from "./Budget.js"
import { CalendarDate } from "./CalendarDate.js"
import { ProjectId, TimerId, WorkspaceId } from "./Ids.js"
import { timerViewFields } from "./Timer.js"
import { WeekStart } from "./User.js"

export class DashboardTimer extends Schema.Class<DashboardTimer>("DashboardTimer")(timerViewFields) {}

export class PeriodTotals extends Schema.Class<PeriodTotals>("PeriodTotals")({
  from: CalendarDate,
  to: CalendarDate,
  hours: Schema.Number,
  billableHours: Schema.Number,
  entries: Schema.Number,
  aiCostUsd: Schema.Number.annotations({
    description: "What the AI requests of these entries cost, in US dollars to six decimals (see usage on entries)"
  })
}) {}

export class ProjectWeek extends Schema.Class<ProjectWeek>("ProjectWeek")({
  projectId: ProjectId,
  projectName: Schema.String,
  hours: Schema.Number,
  billableHours: Schema.Number,
  entries: Schema.Number,
  aiCostUsd: Schema.Number.annotations({
    description: "What the AI requests of these entries cost, in US dollars to six decimals (see usage on entries)"
  })
}) {}

export const AlertKind = Schema.Literal("budget_warning", "budget_over", "long_running_timer")

export class DashboardAlert extends Schema.Class<DashboardAlert>("DashboardAlert")({
  kind: AlertKind,
  message: Schema.String,
  projectId: ProjectId,
  projectName: Schema.String,
  timerId: Schema.NullOr(TimerId),
  budget: Schema.NullOr(ProjectBudget)
}) {}

export class Dashboard extends Schema.Class<Dashboard>("Dashboard")({
  workspaceId: WorkspaceId,
  now: Schema.DateTimeUtc,
  timezone: Schema.String,
  weekStart: WeekStart,
  timers: Schema.Array(DashboardTimer),
  today: PeriodTotals.annotations({ description: "Your completed entries that started today (your timezone)" }),
  week: PeriodTotals.annotations({ description: "Your completed entries that started this week" }),
  projects: Schema.Array(ProjectWeek).annotations({ description: "This week's totals per project" }),
  alerts: Schema.Array(DashboardAlert)
}) {}
