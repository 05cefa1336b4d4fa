import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { InsufficientScope } from "../Actor.js"
import { InvalidInput } from "../Errors.js"
import { EventPage, EventsQuery } from "../Events.js"
import { Authentication } from "./Authentication.js"

export class EventsApi extends HttpApiGroup.make("events")
  .add(
    HttpApiEndpoint.get("list", "/events")
      .setUrlParams(EventsQuery)
      .addSuccess(EventPage)
      .addError(InvalidInput)
      .annotate(
        OpenApi.Description,
        "The active workspace's domain events in order, after a cursor. Owners see every event; members see " +
          "workspace-level events (projects, tasks, members, budgets) and their own timer, entry and key events. " +
          "Poll with the returned nextCursor to follow changes. Each event has the envelope webhook deliveries " +
          "and Zapier items carry too, {id, type, occurredAt, workspaceId, data}, and `types` takes the same " +
          "names (timer.started, entry.created, ...)."
      )
  )
  .addError(InsufficientScope)
  .middleware(Authentication)
  .prefix("/api")
  .annotate(OpenApi.Title, "Events")
{}
