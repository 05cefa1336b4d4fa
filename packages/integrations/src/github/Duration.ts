const DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+)m)?$/i

/** `1h30m`, `90m`, `1.5h`, `2h` as whole minutes (1 to 24 hours' worth); anything else is undefined. */
export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim())
  if (match === null || (match[1] === undefined && match[2] === undefined)) return undefined
  const minutes = Math.round(Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0))
  return minutes >= 1 && minutes <= 24 * 60 ? minutes : undefined
}

/** 90 → "1h 30m", 45 → "45m", 120 → "2h". */
export const formatMinutes = (minutes: number): string => {
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours === 0) return `${rest}m`
  return rest === 0 ? `${hours}h` : `${hours}h ${rest}m`
}
