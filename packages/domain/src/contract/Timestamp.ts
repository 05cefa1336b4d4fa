import { Schema } from "effect"

/** An instant: a DateTime.Utc in code, ISO 8601 text on the wire. */
export const Timestamp = Schema.DateTimeUtc

export const NullableTimestamp = Schema.NullOr(Schema.DateTimeUtc)

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))$/

/** `Date` rolls impossible fields over (February 30 becomes March 2); every field must exist as written. */
const isRealInstant = (s: string): boolean => {
  const match = ISO_INSTANT.exec(s)
  if (match === null) return true
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.map((part) =>
    part === undefined ? 0 : Number(part)
  ) as [number, number, number, number, number, number, number, number, number]
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 &&
    second <= 59 && offsetHours <= 23 && offsetMinutes <= 59
}

const IsoInstantString = Schema.String.pipe(
  Schema.pattern(ISO_INSTANT, {
    message: () => "must be an ISO 8601 instant with Z or an offset, such as 2026-06-01T09:00:00Z"
  }),
  Schema.filter(isRealInstant, { message: () => "must be a real date and time (no February 30 or 24:00)" })
)

/** An instant a client sends: ISO 8601 only, since `Date` would also read "June 9 2026" or a six-digit year. */
export const Instant = Schema.compose(IsoInstantString, Schema.DateTimeUtc).annotations({
  description: "An instant in ISO 8601 with Z or an offset, e.g. 2026-06-01T09:00:00Z or 2026-06-01T11:00:00+02:00"
})
