import { Schema } from "effect"
import { KeyScope } from "./Actor.js"
import { UserId, WorkspaceId } from "./Ids.js"
import { TrimmedText } from "./Text.js"
import { Timestamp } from "./Timestamp.js"
import { strict } from "./Strict.js"

export const Plan = Schema.Literal("free", "pro", "team")
export type Plan = typeof Plan.Type

export const WeekStart = Schema.Literal("monday", "sunday")

export class User extends Schema.Class<User>("User")({
  id: UserId,
  email: Schema.String,
  name: Schema.String,
  plan: Plan,
  timezone: Schema.String,
  weekStart: WeekStart,
  activeWorkspaceId: WorkspaceId,
  createdAt: Timestamp
}) {}

export class Me extends Schema.Class<Me>("Me")({
  user: User,
  activeWorkspaceId: WorkspaceId,
  scope: KeyScope
}) {}

export const Email = TrimmedText.pipe(
  Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address" }),
  Schema.maxLength(320)
)

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz })
    return true
  } catch {
    return false
  }
}

export const TimeZone = Schema.String.pipe(
  Schema.filter(isTimeZone, { message: () => "must be an IANA timezone such as Europe/Berlin" })
)

export const UpdateMe = Schema.Struct({
  name: Schema.optional(TrimmedText.pipe(Schema.minLength(1), Schema.maxLength(200))),
  timezone: Schema.optional(TimeZone),
  weekStart: Schema.optional(WeekStart)
}).annotations({ identifier: "UpdateMe", ...strict })
export type UpdateMe = typeof UpdateMe.Type
