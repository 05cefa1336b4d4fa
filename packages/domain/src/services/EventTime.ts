import { DateTime, Effect } from "effect"
import { InvalidInput } from "../contract/Errors.js"
import { EVENT_CLOCK_SKEW_SECONDS, EVENT_MAX_AGE_HOURS } from "../contract/Timer.js"

const iso = DateTime.formatIso

/**
 * The time an event is recorded at: its `at` within the bounds (at most EVENT_MAX_AGE_HOURS old, at most
 * EVENT_CLOCK_SKEW_SECONDS ahead, which counts as now), else now.
 */
export const eventTime = (at: DateTime.Utc | undefined, now: DateTime.Utc, field = "at") => {
  if (at === undefined) return Effect.succeed(now)
  if (DateTime.lessThan(at, DateTime.subtract(now, { hours: EVENT_MAX_AGE_HOURS }))) {
    return Effect.fail(
      new InvalidInput({
        field,
        message: `${field} (${iso(at)}) is more than ${EVENT_MAX_AGE_HOURS} hours ago; events that old are not accepted`
      })
    )
  }
  if (DateTime.greaterThan(at, DateTime.add(now, { seconds: EVENT_CLOCK_SKEW_SECONDS }))) {
    return Effect.fail(
      new InvalidInput({
        field,
        message: `${field} (${iso(at)}) is in the future: the server's clock says ${iso(now)} and allows ` +
          `${EVENT_CLOCK_SKEW_SECONDS} seconds of clock skew`
      })
    )
  }
  return Effect.succeed(DateTime.min(at, now))
}

/** A heartbeat's stretch: `since` (default `at`) to `at`, both within the bounds and in order. */
export const evidenceTimes = Effect.fn("EventTime.evidenceTimes")(function*(
  input: { readonly at?: DateTime.Utc | undefined; readonly since?: DateTime.Utc | undefined },
  now: DateTime.Utc
) {
  const at = yield* eventTime(input.at, now)
  if (input.since !== undefined && input.at === undefined) {
    return yield* new InvalidInput({ field: "since", message: "since needs at: the stretch's last activity" })
  }
  if (input.since === undefined) return { at, since: at }
  const since = yield* eventTime(input.since, now, "since")
  if (DateTime.greaterThan(since, at)) {
    return yield* new InvalidInput({ field: "since", message: `since (${iso(since)}) is after at (${iso(at)})` })
  }
  return { at, since }
})

/** Refuses an event that would fall before the timer it concerns started. */
export const notBeforeStart = (at: DateTime.Utc, startedAt: DateTime.Utc, projectName: string) =>
  DateTime.lessThan(at, startedAt)
    ? Effect.fail(
      new InvalidInput({
        field: "at",
        message: `at (${iso(at)}) is before the start of the timer on "${projectName}" (${iso(startedAt)})`
      })
    )
    : Effect.void
