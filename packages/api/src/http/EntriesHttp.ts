import { Api } from "@clockme/domain/contract/api/Api"
import { Entries } from "@clockme/domain/services/Entries"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const EntriesHttp = HttpApiBuilder.group(Api, "entries", (handlers) =>
  Effect.map(Entries, (entries) =>
    handlers
      .handle("list", ({ urlParams }) => entries.list(urlParams))
      .handle("create", ({ headers, payload }) =>
        entries.create({ ...payload, idempotencyKey: payload.idempotencyKey ?? headers["idempotency-key"] }))
      .handle("update", ({ path, payload }) => entries.update(path.id, payload))
      .handle("delete", ({ path }) => entries.remove(path.id))))
