import { OpenApi } from "@effect/platform"
import { makeApi } from "../Refusals.js"
import { AuditApi } from "./AuditApi.js"
import { BudgetsApi } from "./BudgetsApi.js"
import { DashboardApi } from "./DashboardApi.js"
import { EntriesApi } from "./EntriesApi.js"
import { EventsApi } from "./EventsApi.js"
import { KeysApi } from "./KeysApi.js"
import { MeApi } from "./MeApi.js"
import { OtlpApi } from "./OtlpApi.js"
import { ProjectsApi } from "./ProjectsApi.js"
import { ReportsApi } from "./ReportsApi.js"
import { SessionApi } from "./SessionApi.js"
import { SystemApi } from "./SystemApi.js"
import { TasksApi } from "./TasksApi.js"
import { TimerApi } from "./TimerApi.js"
import { WorkspacesApi } from "./WorkspacesApi.js"
import { IntegrationsApi } from "./IntegrationsApi.js"
import { WebhooksApi } from "./WebhooksApi.js"
import { ZapierApi } from "./ZapierApi.js"

/** The whole REST contract; the server, the OpenAPI document and the SDK are derived from it. */
export class Api extends makeApi("clockme")
  .add(TimerApi)
  .add(EntriesApi)
  .add(ProjectsApi)
  .add(TasksApi)
  .add(ReportsApi)
  .add(WorkspacesApi)
  .add(BudgetsApi)
  .add(DashboardApi)
  .add(MeApi)
  .add(KeysApi)
  .add(AuditApi)
  .add(SystemApi)
  .add(SessionApi)
  .add(EventsApi)
  .add(IntegrationsApi)
  .add(WebhooksApi)
  .add(ZapierApi)
  .add(OtlpApi)
  .annotate(OpenApi.Title, "ClockMe API")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(OpenApi.Description, "Time tracking for AI coding tools: timers, entries, projects, reports and teams.")
{}
