import { Schema } from "effect"

const isRealDate = (s: string) => {
  const [y, m, d] = s.split("-").map(Number) as [number, number, number]
  const date = new globalThis.Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/** A calendar day, YYYY-MM-DD, read in the caller's timezone. */
export const CalendarDate = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "must be a date in the form YYYY-MM-DD" }),
  Schema.filter(isRealDate, { message: () => "must be a real calendar date" })
).annotations({ identifier: "CalendarDate", description: "A calendar day YYYY-MM-DD in the user's timezone" })
export type CalendarDate = typeof CalendarDate.Type
