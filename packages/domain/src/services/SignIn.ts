import { hash, verify } from "@node-rs/argon2"
import { createHash, randomBytes } from "node:crypto"
import { DateTime, Duration, Effect, Option } from "effect"
import type { UserId } from "../contract/Ids.js"
import { RateLimited } from "../contract/RateLimit.js"
import { PasswordLinkInvalid, SessionInfo, SignInFailed } from "../contract/Session.js"
import type { SetPassword, SignIn as SignInInput } from "../contract/Session.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { SignInRepo } from "../repos/SignInRepo.js"
import { UserNotFound } from "./Accounts.js"
import { RateLimiter } from "./RateLimiter.js"

export const SESSION_TTL = Duration.days(7)
export const LINK_TTL = Duration.hours(24)
/** Sign-in attempts a minute: per account (guessing one password) and per address (trying many accounts). */
export const ATTEMPTS_PER_ACCOUNT = 5
export const ATTEMPTS_PER_ADDRESS = 20

const secret = () => randomBytes(32).toString("base64url")
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** argon2id with @node-rs/argon2's defaults (OWASP's minimum: 19 MiB, 2 passes); the hash names its parameters. */
export const hashPassword = (password: string) => Effect.promise(() => hash(password, { algorithm: 2 }))

/**
 * Verified against when no account or no password matches, so an unknown email takes as long as a wrong
 * password; made on the first sign-in, not when a process that never signs anyone in starts.
 */
let decoy: Promise<string> | undefined
const decoyHash = () => (decoy ??= hash(secret(), { algorithm: 2 }))

const failed = () => new SignInFailed({ message: "The email or password is wrong" })

export interface SignedIn {
  readonly token: string
  readonly session: SessionInfo
}

/** The dashboard's sign-in: passwords from one-time links, sessions by cookie. Secrets are stored only hashed. */
export class SignIn extends Effect.Service<SignIn>()("@clockme/domain/SignIn", {
  effect: Effect.gen(function*() {
    const repo = yield* SignInRepo
    const accounts = yield* AccountsRepo
    const limiter = yield* RateLimiter
    const now = Effect.map(DateTime.now, DateTime.toDate)

    /** A one-time link token for an account: the caller prints it, it is stored only hashed. */
    const issueLink = Effect.fn("SignIn.issueLink")(function*(email: string) {
      const user = yield* accounts.findUserByEmail(email)
      if (Option.isNone(user)) return yield* new UserNotFound({ email, message: `No account with the email ${email}` })
      const token = secret()
      const at = yield* now
      yield* repo.insertLink(sha256(token), user.value.id, at, DateTime.toDate(DateTime.addDuration(DateTime.unsafeMake(at), LINK_TTL)))
      return token
    })

    /** Refused with RateLimited past `perMinute` attempts under `key`. */
    const limit = (key: string, perMinute: number) =>
      Effect.flatMap(limiter.hit(key, perMinute), (quota) =>
        quota.remaining < 0
          ? Effect.fail(
            new RateLimited({
              limit: perMinute,
              retryAfterSeconds: quota.resetSeconds,
              message: `Too many sign-in attempts; retry in ${quota.resetSeconds} s`
            })
          )
          : Effect.void)

    const setPassword = Effect.fn("SignIn.setPassword")(function*(input: SetPassword, address: string) {
      yield* limit(`sign-in:address:${address}`, ATTEMPTS_PER_ADDRESS)
      const at = yield* now
      const userId = yield* repo.useLink(sha256(input.token), at)
      if (Option.isNone(userId)) {
        return yield* new PasswordLinkInvalid({
          message: "This set-password link is unknown, used already or expired; ask for a new one (clockme-server accounts set-password)"
        })
      }
      yield* repo.setPassword(userId.value, yield* hashPassword(input.password), at)
    })

    const startSession = (userId: UserId, email: string) =>
      Effect.gen(function*() {
        const token = secret()
        const csrfToken = secret()
        const at = yield* now
        const expiresAt = DateTime.toDate(DateTime.addDuration(DateTime.unsafeMake(at), SESSION_TTL))
        yield* repo.insertSession({ tokenHash: sha256(token), userId, csrfToken, now: at, expiresAt })
        const session = new SessionInfo({ userId, email, csrfToken, expiresAt: DateTime.unsafeMake(expiresAt) })
        return { token, session } satisfies SignedIn
      })

    const signIn = Effect.fn("SignIn.signIn")(function*(input: SignInInput, address: string) {
      yield* limit(`sign-in:address:${address}`, ATTEMPTS_PER_ADDRESS)
      yield* limit(`sign-in:account:${input.email.trim().toLowerCase()}`, ATTEMPTS_PER_ACCOUNT)
      const found = yield* repo.findPassword(input.email.trim())
      const stored = Option.flatMap(found, (row) => Option.fromNullable(row.hash))
      const matches = yield* Effect.promise(async () =>
        Option.isSome(stored) ? verify(stored.value, input.password) : verify(await decoyHash(), input.password).then(() => false)
      )
      if (!matches || Option.isNone(found)) return yield* failed()
      const user = yield* accounts.findUserById(found.value.userId)
      if (Option.isNone(user)) return yield* failed()
      return yield* startSession(user.value.id, user.value.email)
    })

    /** The live session a cookie names: none once expired, signed out or revoked by a new password. */
    const authenticate = (token: string) =>
      Effect.flatMap(now, (at) => token === "" ? Effect.succeedNone : repo.findSession(sha256(token), at))

    const signOut = (token: string) => Effect.flatMap(now, (at) => repo.revokeSession(sha256(token), at))

    return { issueLink, setPassword, signIn, startSession, limit, authenticate, signOut } as const
  }),
  dependencies: [SignInRepo.Default, AccountsRepo.Default]
}) {}
