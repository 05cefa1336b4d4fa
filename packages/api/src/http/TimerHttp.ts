import { Api } from "@clockme/domain/contract/api/Api"
import { Timers } from "@clockme/domain/services/Timers"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const TimerHttp = HttpApiBuilder.group(Api, "timer", (handlers) =>
  Effect.map(Timers, (timers) =>
    handlers
      .handle("current", () => timers.current)
      .handle("start", ({ headers, payload }) => timers.start(payload, { idempotencyKey: headers["idempotency-key"] }))
      .handle("stop", ({ headers, payload }) => timers.stop(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }))
      .handle("pause", ({ headers, payload }) => timers.pause(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }))
      .handle("resume", ({ headers, payload }) => timers.resume(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }))
      .handle("heartbeat", ({ payload }) => timers.heartbeat(payload ?? {}))
      .handle("update", ({ payload }) => timers.update(payload))))
