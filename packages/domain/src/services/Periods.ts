import { DateTime, Effect } from "effect"
import { InvalidInput } from "../contract/Errors.js"

// Making a formatter cost about a third of a millisecond of every report request: one per zone, kept (the
// zones are the users' IANA zones, validated before they are stored, so a few hundred at most).
const formatters = new Map<string, Intl.DateTimeFormat>()
const dayFormatter = (timeZone: string) => {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

const dayIn = (now: DateTime.Utc, timeZone: string) => dayFormatter(timeZone).format(DateTime.toDate(now))

/** Given days: `to` may not be before `from`. */
export const givenPeriod = (from: string, to: string) =>
  to < from
    ? Effect.fail(new InvalidInput({ field: "to", message: "to must not be before from" }))
    : Effect.succeed({ from, to })

/** `from`/`to` as calendar days in the user's zone; by default the current month up to today. */
export const resolvePeriod = (
  query: { readonly from?: string | undefined; readonly to?: string | undefined },
  timezone: string
) =>
  Effect.gen(function*() {
    const today = dayIn(yield* DateTime.now, timezone)
    const from = query.from ?? `${today.slice(0, 8)}01`
    const to = query.to ?? (query.from === undefined ? today : from > today ? from : today)
    return { ...yield* givenPeriod(from, to), timezone }
  })

export { minorUnits } from "../contract/Money.js"

export const hoursOf = (seconds: number): number => Math.round(seconds / 36) / 100

/** Today's date in a timezone, YYYY-MM-DD. */
export const today = (timezone: string) => Effect.map(DateTime.now, (now) => dayIn(now, timezone))

const addDays = (day: string, days: number) =>
  DateTime.formatIso(DateTime.add(DateTime.unsafeMake(`${day}T00:00:00Z`), { days })).slice(0, 10)

/** The week (first and last day) holding a day, for a week that starts on Monday or Sunday. */
export const weekOf = (day: string, weekStart: "monday" | "sunday") => {
  const weekDay = DateTime.getPartUtc(DateTime.unsafeMake(`${day}T00:00:00Z`), "weekDay")
  const back = weekStart === "monday" ? (weekDay + 6) % 7 : weekDay
  const from = addDays(day, -back)
  return { from, to: addDays(from, 6) }
}
