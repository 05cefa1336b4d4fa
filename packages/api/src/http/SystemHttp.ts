import { Api } from "@clockme/domain/contract/api/Api"
import { Health } from "@clockme/domain/contract/api/SystemApi"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const SystemHttp = HttpApiBuilder.group(
  Api,
  "system",
  (handlers) => Effect.succeed(handlers.handle("health", () => Effect.succeed(new Health({ status: "ok" }))))
)
