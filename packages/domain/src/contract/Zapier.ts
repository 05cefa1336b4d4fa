import { Schema } from "effect"
import { eventNames } from "./Events.js"
import { ConnectionId } from "./Integration.js"
import { TrimmedText } from "./Text.js"

/** The triggers a Zap can subscribe to, by their wire names. */
export const ZapierEvent = Schema.Literal(
  eventNames.EntryCreated,
  eventNames.TimerStarted,
  eventNames.TimerStopped,
  eventNames.BudgetThresholdCrossed
)
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
