import type { Event } from "@clockme/domain/contract/Events"
import type { Json } from "./ClockMe.js"

/**
 * A domain event as JSON, the same from `events.list()`, a webhook delivery and a Zapier item:
 * `{id, type, occurredAt, workspaceId, data}`. Checking `type` narrows `data`
 * (`if (event.type === "timer.started") event.data.timer`).
 */
export type ClockMeEvent = Json<Event>

/**
 * What a webhook delivery's body holds once verified (`new Webhook(secret).verify(body, headers)`): the event
 * plus Standard Webhooks' `timestamp`, equal to `occurredAt`.
 */
export type WebhookBody = ClockMeEvent & { readonly timestamp: string }
