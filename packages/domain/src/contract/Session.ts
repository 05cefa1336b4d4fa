import { HttpApiSchema, HttpApiSecurity, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { UserId } from "./Ids.js"
import { strict } from "./Strict.js"
import { Text, TrimmedText } from "./Text.js"
import { Email } from "./User.js"

/** The session cookie's name; the cookie is HttpOnly and SameSite=Lax (and Secure behind https). */
export const SESSION_COOKIE = "clockme_session"

/** The header a signed-in browser sends its session's CSRF token in on every state-changing request. */
export const CSRF_HEADER = "x-clockme-csrf"

/** The second way in, beside the bearer key: the dashboard's session cookie (never on /api/mcp). */
export const sessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: SESSION_COOKIE }).pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    `A dashboard session from POST /api/session (an HttpOnly cookie). Every request but GET and HEAD also sends the ` +
      `session's CSRF token in ${CSRF_HEADER}. Not accepted on /api/mcp.`
  )
)

/** Long enough for a passphrase, short enough that hashing it costs nothing unusual. */
export const Password = Text.pipe(Schema.minLength(12), Schema.maxLength(256)).annotations({
  description: "At least 12 and at most 256 characters"
})

export const SignIn = Schema.Struct({
  email: Text.pipe(Schema.minLength(1), Schema.maxLength(320)),
  password: Text.pipe(Schema.minLength(1), Schema.maxLength(256))
}).annotations({ identifier: "SignIn", ...strict })
export type SignIn = typeof SignIn.Type

export const SetPassword = Schema.Struct({
  token: Text.pipe(Schema.minLength(1), Schema.maxLength(128)).annotations({
    description: "The token of a set-password link (after #token= in the link)"
  }),
  password: Password
}).annotations({ identifier: "SetPassword", ...strict })
export type SetPassword = typeof SetPassword.Type

export const InviteSignUp = Schema.Struct({
  code: Text.pipe(Schema.minLength(1), Schema.maxLength(128)).annotations({
    description: "The invite's code (after #code= in the invite link)"
  }),
  name: TrimmedText.pipe(Schema.minLength(1), Schema.maxLength(200)),
  email: Email,
  password: Password
}).annotations({ identifier: "InviteSignUp", ...strict })
export type InviteSignUp = typeof InviteSignUp.Type

export class SessionInfo extends Schema.Class<SessionInfo>("SessionInfo")({
  userId: UserId,
  email: Schema.String,
  csrfToken: Schema.String.annotations({ description: `Send it in ${CSRF_HEADER} on every request but GET and HEAD` }),
  expiresAt: Schema.DateTimeUtc
}) {}

export class SignInFailed extends Schema.TaggedError<SignInFailed>()(
  "SignInFailed",
  { code: Schema.tag("sign_in_failed"), message: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "The email or password is wrong, or the account has no password yet" })
) {}

export class PasswordLinkInvalid extends Schema.TaggedError<PasswordLinkInvalid>()(
  "PasswordLinkInvalid",
  { code: Schema.tag("password_link_invalid"), message: Schema.String },
  HttpApiSchema.annotations({ status: 400, description: "The set-password link is unknown, used already or expired" })
) {}

export class CsrfRefused extends Schema.TaggedError<CsrfRefused>()(
  "CsrfRefused",
  { code: Schema.tag("csrf_refused"), message: Schema.String },
  HttpApiSchema.annotations({
    status: 403,
    description: `A session request that changes something came from another site, or without the session's ${CSRF_HEADER}`
  })
) {}

export class AccountExists extends Schema.TaggedError<AccountExists>()(
  "AccountExists",
  { code: Schema.tag("account_exists"), email: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({
    status: 409,
    description: "An account with this email exists already: sign in and join with the code (POST /api/workspaces/join)"
  })
) {}
