import type { Bundle, ZObject } from "zapier-platform-core"
import { defineTrigger } from "zapier-platform-core"
import { apiUrl } from "../Api.js"
import { samples } from "../Samples.js"

/** One ClockMe event as a delivery carries it and `GET /api/zapier/samples/{event}` lists it. */
export interface ClockMeEvent {
  readonly id: string
  readonly type: string
  readonly occurredAt: string
  readonly workspaceId: string
  readonly data: Record<string, unknown>
}

/** The subscription the server keeps for one Zap: Zapier stores it as `bundle.subscribeData`. */
interface ZapSubscription {
  readonly id: string
  readonly event: string
  readonly target_url: string
}

type EventName = keyof typeof samples

/**
 * A REST-hook trigger on one ClockMe event: turning the Zap on subscribes its target URL, turning it off
 * removes the subscription, and each delivery is the event itself (its `id` is what Zapier deduplicates on).
 */
const eventTrigger = <const Key extends string>(key: Key, event: EventName, noun: string, label: string, description: string) =>
  defineTrigger({
    key,
    noun,
    display: { label, description },
    operation: {
      type: "hook",
      performSubscribe: async (z: ZObject, bundle: Bundle) =>
        (await z.request<ZapSubscription>({
          url: apiUrl(bundle, "/zapier/hooks"),
          method: "POST",
          body: { target_url: bundle.targetUrl, event }
        })).data,
      performUnsubscribe: async (z: ZObject, bundle: Bundle) => {
        const id = (bundle.subscribeData as Partial<ZapSubscription> | undefined)?.id ?? ""
        // 404: the server already removed it (Zapier answered 410 to a delivery); the Zap turns off all the same.
        const response = await z.request({
          url: apiUrl(bundle, `/zapier/hooks/${encodeURIComponent(id)}`),
          method: "DELETE",
          skipThrowForStatus: true
        })
        if (response.status !== 404) response.throwForStatus()
        return response.status === 404 ? { id, removed: false } : response.data
      },
      perform: (_z: ZObject, bundle: Bundle) => [bundle.cleanedRequest as ClockMeEvent],
      performList: async (z: ZObject, bundle: Bundle) =>
        (await z.request<Array<ClockMeEvent>>({ url: apiUrl(bundle, `/zapier/samples/${event}`) })).data,
      sample: samples[event]
    }
  })

export const NewTimeEntry = eventTrigger(
  "new_time_entry",
  "entry.created",
  "Time Entry",
  "New Time Entry",
  "Triggers when a time entry is recorded: a timer stopped, or time logged by hand, by a hook or an agent."
)

export const TimerStarted = eventTrigger(
  "timer_started",
  "timer.started",
  "Timer",
  "Timer Started",
  "Triggers when one of your timers starts."
)

export const TimerStopped = eventTrigger(
  "timer_stopped",
  "timer.stopped",
  "Timer",
  "Timer Stopped",
  "Triggers when one of your timers stops; the event carries the entry it recorded."
)

export const BudgetThresholdReached = eventTrigger(
  "budget_threshold_reached",
  "budget_threshold.crossed",
  "Budget Alert",
  "Budget Threshold Reached",
  "Triggers when a project's hours or amount cross one of its budget thresholds (80% and 100% by default)."
)
