import { Api } from "@clockme/domain/contract/api/Api"
import { Events } from "@clockme/domain/services/Events"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const EventsHttp = HttpApiBuilder.group(Api, "events", (handlers) =>
  Effect.map(Events, (events) => handlers.handle("list", ({ urlParams }) => events.read(urlParams))))
