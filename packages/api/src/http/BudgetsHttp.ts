import { Api } from "@clockme/domain/contract/api/Api"
import { Budgets } from "@clockme/domain/services/Budgets"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const BudgetsHttp = HttpApiBuilder.group(Api, "budgets", (handlers) =>
  Effect.map(Budgets, (budgets) =>
    handlers
      .handle("get", ({ path }) => budgets.get(path.id))
      .handle("alerts", ({ urlParams }) => budgets.alerts(urlParams))))
