import { Schema } from "effect"

/** PostgreSQL text cannot hold U+0000; refuse it as bad input instead of failing in the database. */
export const hasNoNul = (s: string): boolean => !s.includes("\u0000")
export const noNulMessage = { message: () => "must not contain the NUL character (U+0000)" }

/** Free text such as a description: at most 2000 characters. */
export const Description = Schema.String.pipe(
  Schema.filter(hasNoNul, noNulMessage),
  Schema.maxLength(2000, { message: () => "must be at most 2000 characters" })
)
