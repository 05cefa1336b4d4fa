import { Api } from "@clockme/domain/contract/api/Api"
import { Accounts } from "@clockme/domain/services/Accounts"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const MeHttp = HttpApiBuilder.group(Api, "me", (handlers) =>
  Effect.map(Accounts, (accounts) =>
    handlers
      .handle("get", () => accounts.me)
      .handle("update", ({ payload }) => accounts.update(payload))))
