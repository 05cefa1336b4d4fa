/** Days and times in the person's timezone (the server's `timezone`), whatever the browser's own. */

const partsFormat = (timeZone: string) =>
  new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit"
  })

const wallClock = (epochMs: number, timeZone: string) => {
  const parts = Object.fromEntries(partsFormat(timeZone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]))
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}`,
    epochAsUtc: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
  }
}

/** The day (YYYY-MM-DD) an instant falls on in `timeZone`. */
export const dayOf = (epochMs: number, timeZone: string) => wallClock(epochMs, timeZone).date

/** The wall-clock time (HH:MM) of an instant in `timeZone`. */
export const timeOf = (epochMs: number, timeZone: string) => wallClock(epochMs, timeZone).time

/** The instant a day and wall-clock time of `timeZone` name (the earlier one when a clock change repeats it). */
export const instantOf = (date: string, time: string, timeZone: string): Date => {
  const [y, m, d] = date.split("-").map(Number)
  const [h, min] = time.split(":").map(Number)
  const asUtc = Date.UTC(y!, m! - 1, d!, h!, min!)
  const offsetAt = (epochMs: number) => wallClock(epochMs, timeZone).epochAsUtc - Math.floor(epochMs / 1000) * 1000
  const first = asUtc - offsetAt(asUtc)
  return new Date(asUtc - offsetAt(first))
}

/** A day `days` after `date` (YYYY-MM-DD), calendar arithmetic only. */
export const addDays = (date: string, days: number) => {
  const [y, m, d] = date.split("-").map(Number)
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10)
}

/** The days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): Array<string> => {
  const days: Array<string> = []
  for (let day = from; day <= to && days.length < 400; day = addDays(day, 1)) days.push(day)
  return days
}

/** "Mon 7 Dec" for a day. */
export const dayLabel = (date: string) =>
  new Date(`${date}T12:00:00Z`).toLocaleDateString("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" })

/** Hours as "1:05" (hours and minutes). */
export const hoursMinutes = (seconds: number) => {
  const minutes = Math.round(seconds / 60)
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`
}
