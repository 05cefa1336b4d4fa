import { HttpApiSchema } from "@effect/platform"
import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option, Schema } from "effect"
import type { KeyScope } from "../contract/Actor.js"
import { CurrentActor } from "../contract/Actor.js"
import type { CreatedApiKey } from "../contract/ApiKey.js"
import { Forbidden, InvalidInput } from "../contract/Errors.js"
import { WorkspaceCreated } from "../contract/Events.js"
import { WorkspaceSettings } from "../contract/Workspace.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { isUniqueViolation } from "../repos/SqlErrors.js"
import { Email, Me } from "../contract/User.js"
import type { Plan, UpdateMe, User } from "../contract/User.js"
import { ApiKeys } from "./ApiKeys.js"
import { Events } from "./Events.js"
import { transactional } from "../sql/Transactional.js"

export class EmailTaken extends Schema.TaggedError<EmailTaken>()(
  "EmailTaken",
  { code: Schema.tag("email_taken"), email: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export class UserNotFound extends Schema.TaggedError<UserNotFound>()(
  "UserNotFound",
  { code: Schema.tag("user_not_found"), email: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}

export interface CreatedAccount {
  readonly user: User
  readonly apiKey: CreatedApiKey
}

const decodeEmail = Schema.decodeUnknown(Email)

export class Accounts extends Effect.Service<Accounts>()("@clockme/domain/Accounts", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* AccountsRepo
    const keys = yield* ApiKeys
    const workspaces = yield* WorkspacesRepo
    const events = yield* Events

    /** A user with a personal workspace (owner), in the caller's transaction; the stream starts with WorkspaceCreated. */
    const createUser = Effect.fn("Accounts.createUser")(
      function*(input: { readonly email: string; readonly name?: string | undefined; readonly plan?: Plan | undefined }) {
        const email = yield* decodeEmail(input.email).pipe(
          Effect.mapError(() => new InvalidInput({ field: "email", message: `"${input.email}" is not an email address` }))
        )
        const name = input.name?.trim() || email.split("@")[0]!
        const user = yield* repo.insertUser({ email, name, plan: input.plan ?? "free" }).pipe(
          Effect.catchTag("SqlError", (error) =>
            isUniqueViolation(error)
              ? Effect.fail(new EmailTaken({ email, message: `An account with the email ${email} already exists` }))
              : Effect.die(error))
        )
        const personal = yield* workspaces.findMembership(user.id, user.activeWorkspaceId).pipe(Effect.flatMap(Effect.orDie))
        yield* events.publish(
          new WorkspaceCreated({
            occurredAt: yield* DateTime.now,
            workspaceId: personal.id,
            userId: user.id,
            workspace: WorkspaceSettings.of(personal)
          })
        )
        return user
      }
    )

    /** A user with a personal workspace (owner) and a full-scope key, in one transaction. */
    const create = Effect.fn("Accounts.create")(
      function*(input: { readonly email: string; readonly name?: string | undefined; readonly plan?: Plan | undefined }) {
        const user = yield* createUser(input)
        const apiKey = yield* keys.issue(user.id, "full", "default")
        const account: CreatedAccount = { user, apiKey }
        return account
      },
      transactional(sql)
    )

    const issueKeyFor = Effect.fn("Accounts.issueKeyFor")(
      function*(email: string, scope: KeyScope, label: string | null) {
        const user = yield* repo.findUserByEmail(email)
        if (Option.isNone(user)) {
          return yield* new UserNotFound({ email, message: `No account with the email ${email}` })
        }
        return yield* keys.issue(user.value.id, scope, label)
      }
    )

    const count = repo.countUsers

    const me = Effect.gen(function*() {
      const actor = yield* CurrentActor
      const user = yield* repo.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      return new Me({ user, activeWorkspaceId: actor.workspaceId, scope: actor.scope })
    }).pipe(Effect.withSpan("Accounts.me"))

    const update = Effect.fn("Accounts.update")(function*(input: UpdateMe) {
      const actor = yield* CurrentActor
      // the profile is the account's, in every workspace: a key trusted with one workspace must not change it
      if (actor.keyWorkspaceId != null) {
        return yield* new Forbidden({
          message: `This API key is restricted to workspace ${actor.keyWorkspaceId}; your profile belongs to the whole ` +
            "account, so change it with an unrestricted key"
        })
      }
      let patch = input
      if (input.timezone !== undefined) {
        const known = yield* repo.knownTimezone(input.timezone)
        if (Option.isNone(known)) {
          return yield* new InvalidInput({
            field: "timezone",
            message: `"${input.timezone}" is not a timezone the database knows; use an IANA name such as America/Los_Angeles`
          })
        }
        patch = { ...input, timezone: known.value }
      }
      const user = Object.keys(patch).length === 0
        ? yield* repo.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
        : yield* repo.updateUser(actor.userId, patch)
      return new Me({ user, activeWorkspaceId: actor.workspaceId, scope: actor.scope })
    })

    return { create, createUser, issueKeyFor, count, me, update } as const
  }),
  dependencies: [AccountsRepo.Default, WorkspacesRepo.Default, ApiKeys.Default, Events.Default]
}) {}
