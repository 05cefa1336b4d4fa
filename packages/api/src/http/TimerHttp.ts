import { Api } from "@clockme/domain/api/Api"
import { Timers } from "@clockme/domain/services/Timers"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const TimerHttp = HttpApiBuilder.group(Api, "timer", (handlers) =>
  Effect.map(Timers, (timers) =>
    handlers
      .handle("current", () => timers.current)
      .handle("start", ({ payload }) => timers.start(payload))
      .handle("stop", ({ payload }) => timers.stop(payload ?? {}))))
