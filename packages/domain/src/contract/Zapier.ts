import { Schema } from "effect"
import { ConnectionId } from "./Integration.js"
import { JsonValue, TrimmedText } from "./Text.js"

/** The triggers a Zap can subscribe to, by their wire names. */
export const ZapierEvent = Schema.Literal("entry.created", "timer.started", "timer.stopped", "budget_threshold.crossed")
  .annotations({ description: "New time entry, timer started, timer stopped, budget threshold reached" })
export type ZapierEvent = typeof ZapierEvent.Type

export const SubscribeZap = Schema.Struct({
  target_url: TrimmedText.pipe(Schema.filter((text) => URL.canParse(text), { message: () => "must be an absolute URL" })),
  event: ZapierEvent
}).annotations({ identifier: "SubscribeZap", parseOptions: { onExcessProperty: "ignore", errors: "all" } })
export type SubscribeZap = typeof SubscribeZap.Type

export class ZapSubscription extends Schema.Class<ZapSubscription>("ZapSubscription")({
  id: ConnectionId,
  event: ZapierEvent,
  target_url: Schema.String
}) {}

/** What a Zap receives for one event, as delivered and as listed by the samples endpoint (`performList`). */
export class ZapItem extends Schema.Class<ZapItem>("ZapItem")({
  id: Schema.UUID.annotations({ description: "The event's id: stable, so Zapier deduplicates on it" }),
  type: Schema.String,
  timestamp: Schema.String,
  data: JsonValue
}) {}
