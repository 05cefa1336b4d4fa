import { SqlClient } from "@effect/sql"
import { DateTime, Effect } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { AccountExists } from "../contract/Session.js"
import type { InviteSignUp as InviteSignUpInput } from "../contract/Session.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { SignInRepo } from "../repos/SignInRepo.js"
import { Accounts } from "./Accounts.js"
import { Invites } from "./Invites.js"
import { ATTEMPTS_PER_ADDRESS, hashPassword, SignIn } from "./SignIn.js"
import { transactional } from "../sql/Transactional.js"

/**
 * Someone without an account opens an invite link: an account with a password, a membership in the invite's
 * workspace (made the active one) and a session, all or nothing. The invite is locked first, so two sign-ups
 * racing for its last use take turns and the second is refused.
 */
export class InviteSignUp extends Effect.Service<InviteSignUp>()("@clockme/domain/InviteSignUp", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const accounts = yield* Accounts
    const invites = yield* Invites
    const signIn = yield* SignIn
    const passwords = yield* SignInRepo
    const workspaces = yield* WorkspacesRepo

    const join = Effect.fn("InviteSignUp.join")(function*(input: InviteSignUpInput, hash: string) {
      yield* invites.checkUsable(input.code)
      const user = yield* accounts.createUser({ email: input.email, name: input.name }).pipe(
        Effect.catchTag("EmailTaken", ({ email }) =>
          Effect.fail(
            new AccountExists({
              email,
              message: `An account with the email ${email} exists already: sign in and join with the invite code (POST /api/workspaces/join)`
            })
          ))
      )
      const joined = yield* invites.join(input.code).pipe(
        Effect.provideService(CurrentActor, {
          userId: user.id,
          workspaceId: user.activeWorkspaceId,
          keyId: null,
          scope: "full",
          source: "web"
        }),
        // an actor with no restricted key is never refused as one
        Effect.catchTag("Forbidden", Effect.die)
      )
      yield* workspaces.setActive(user.id, joined.workspace.id)
      yield* passwords.setPassword(user.id, hash, DateTime.toDate(yield* DateTime.now))
      return yield* signIn.startSession(user.id, user.email)
    }, transactional(sql))

    const signUp = Effect.fn("InviteSignUp.signUp")(function*(input: InviteSignUpInput, address: string) {
      yield* signIn.limit(`sign-in:address:${address}`, ATTEMPTS_PER_ADDRESS)
      return yield* join(input, yield* hashPassword(input.password))
    })

    return { signUp } as const
  }),
  dependencies: [Accounts.Default, Invites.Default, SignIn.Default, SignInRepo.Default, WorkspacesRepo.Default]
}) {}
