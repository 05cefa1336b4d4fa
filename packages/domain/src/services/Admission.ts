import { Effect, Option, Schema } from "effect"
import type { Redacted } from "effect"
import type { Actor } from "../contract/Actor.js"
import { RateLimited, requestsPerMinute } from "../contract/RateLimit.js"
import type { Quota } from "../contract/RateLimit.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ApiKeys } from "./ApiKeys.js"
import { RateLimiter } from "./RateLimiter.js"
import { WorkspaceId } from "../contract/Ids.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"

export interface Admitted {
  readonly actor: Actor
  readonly quota: Quota
}

/** What every request goes through, REST or MCP: the key is checked, then the account's rate limit. */
export class Admission extends Effect.Service<Admission>()("@clockme/domain/Admission", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeys
    const accounts = yield* AccountsRepo
    const limiter = yield* RateLimiter
    const workspaces = yield* WorkspacesRepo

    /**
     * `workspace` names another workspace of the caller's for this one request (the X-ClockMe-Workspace
     * header); one they do not belong to is 404, exactly like one that does not exist.
     */
    const admit = Effect.fn("Admission.admit")(function*(token: Redacted.Redacted<string>, workspace?: string) {
      const authenticated = yield* keys.authenticate(token)
      let actor = authenticated
      if (workspace !== undefined && workspace !== authenticated.workspaceId) {
        if (authenticated.keyWorkspaceId != null) {
          return yield* new WorkspaceNotFound({
            workspaceId: workspace,
            message: `This API key is restricted to workspace ${authenticated.keyWorkspaceId}; X-ClockMe-Workspace cannot name another`
          })
        }
        const id = Schema.decodeUnknownOption(WorkspaceId)(workspace)
        const member = Option.isNone(id) ? Option.none() : yield* workspaces.findMembership(authenticated.userId, id.value)
        if (Option.isNone(member) || Option.isNone(id)) {
          return yield* new WorkspaceNotFound({
            workspaceId: workspace,
            message: `Workspace ${workspace} (X-ClockMe-Workspace) not found among your workspaces`
          })
        }
        actor = { ...authenticated, workspaceId: id.value }
      }
      const user = yield* accounts.findUserById(actor.userId)
      const limit = requestsPerMinute[Option.match(user, { onNone: () => "free" as const, onSome: (u) => u.plan })]
      const quota = yield* limiter.hit(actor.userId, limit)
      if (quota.remaining < 0) {
        return yield* new RateLimited({
          limit,
          retryAfterSeconds: quota.resetSeconds,
          message: `Rate limit of ${limit} requests a minute reached for this account; retry in ${quota.resetSeconds} s`
        })
      }
      const admitted: Admitted = { actor, quota }
      return admitted
    })

    return { admit } as const
  }),
  dependencies: [ApiKeys.Default, AccountsRepo.Default, WorkspacesRepo.Default]
}) {}
