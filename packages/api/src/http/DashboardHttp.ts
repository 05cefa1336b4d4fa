import { Api } from "@clockme/domain/contract/api/Api"
import { Dashboard } from "@clockme/domain/services/Dashboard"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const DashboardHttp = HttpApiBuilder.group(Api, "dashboard", (handlers) =>
  Effect.map(Dashboard, (dashboard) => handlers.handle("get", () => dashboard.get)))
