import type { SqlError } from "@effect/sql/SqlError"

const codeOf = (error: SqlError): unknown =>
  typeof error.cause === "object" && error.cause !== null && "code" in error.cause ? error.cause.code : undefined

export const isUniqueViolation = (error: SqlError): boolean => codeOf(error) === "23505"
