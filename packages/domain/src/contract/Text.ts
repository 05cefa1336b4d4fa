import { Schema } from "effect"

/** PostgreSQL text cannot hold U+0000; refuse it as bad input instead of failing in the database. */
export const hasNoNul = (s: string): boolean => !s.includes("\u0000")
export const noNulMessage = { message: () => "must not contain the NUL character (U+0000)" }

/** A lone UTF-16 surrogate has no UTF-8 form: it would be stored as U+FFFD, silently changing the text. */
export const isWellFormed = (s: string): boolean => !/[\uD800-\uDFFF]/u.test(s)
export const wellFormedMessage = { message: () => "must be valid Unicode text (no lone surrogate such as \\ud800)" }

/** Any text a client sends: storable exactly as sent. */
export const Text = Schema.String.pipe(Schema.filter(hasNoNul, noNulMessage), Schema.filter(isWellFormed, wellFormedMessage))

/** Text with surrounding whitespace removed, then checked like Text. */
export const TrimmedText = Schema.Trim.pipe(Schema.filter(hasNoNul, noNulMessage), Schema.filter(isWellFormed, wellFormedMessage))

/** Free text such as a description: at most 2000 characters. */
export const Description = Text.pipe(
  Schema.maxLength(2000, { message: () => "must be at most 2000 characters" })
)

/** Where a JSON value holds a string or key that is not Text, and why. */
const badTextIn = (
  value: unknown,
  path: ReadonlyArray<PropertyKey> = []
): { readonly path: ReadonlyArray<PropertyKey>; readonly message: string } | undefined => {
  const check = (text: string, at: ReadonlyArray<PropertyKey>) =>
    !hasNoNul(text)
      ? { path: at, message: noNulMessage.message() }
      : !isWellFormed(text)
      ? { path: at, message: wellFormedMessage.message() }
      : undefined
  if (typeof value === "string") return check(value, path)
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = badTextIn(item, [...path, i])
      if (found) return found
    }
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = check(key, [...path, key]) ?? badTextIn(item, [...path, key])
      if (found) return found
    }
  }
  return undefined
}

/** Any JSON value, described without the `$id` Schema.Unknown brings (the OpenAPI document may hold it only once). */
export const JsonValue = Schema.declare((_value: unknown): _value is unknown => true, {
  identifier: "JsonValue",
  jsonSchema: { type: ["string", "number", "boolean", "null", "object", "array"], description: "Any JSON value" }
})

/** Any JSON value a client sends: every string and key in it storable exactly as sent, like Text. */
export const JsonInput = JsonValue.pipe(Schema.filter((value) => badTextIn(value)))
