import { Api } from "@clockme/domain/contract/api/Api"
import { ApiKeys } from "@clockme/domain/services/ApiKeys"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const KeysHttp = HttpApiBuilder.group(Api, "keys", (handlers) =>
  Effect.map(ApiKeys, (keys) =>
    handlers
      .handle("list", () => keys.list)
      .handle("create", ({ payload }) => keys.create(payload))
      .handle("rotate", ({ path, payload }) => keys.rotate(path.id, payload))
      .handle("revoke", ({ path }) => keys.revoke(path.id))))
