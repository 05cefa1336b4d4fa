import { Effect, Option, Schema } from "effect"
import type { Redacted } from "effect"
import { type Actor, CurrentActor, scopeCovers, type Source, Unauthorized } from "../contract/Actor.js"
import type { Plan } from "../contract/User.js"
import { quotaHeaders, RateLimited, requestsPerMinute } from "../contract/RateLimit.js"
import type { Quota } from "../contract/RateLimit.js"
import { ApiKeys } from "./ApiKeys.js"
import { RateLimiter } from "./RateLimiter.js"
import { SignIn } from "./SignIn.js"
import { Timers } from "./Timers.js"
import { WorkspaceId } from "../contract/Ids.js"
import { WorkspaceNotFound } from "../contract/Workspace.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"

export interface Admitted {
  readonly actor: Actor
  readonly quota: Quota
}

export type Refused = Unauthorized | RateLimited | WorkspaceNotFound

/** Header values must be plain ASCII, without quotes. */
const headerText = (text: string) => text.replace(/…/g, "...").replace(/[^\x20-\x7e]|"/g, "")

const rateLimited = (limit: number, quota: Quota) =>
  new RateLimited({
    limit,
    retryAfterSeconds: quota.resetSeconds,
    message: `Rate limit of ${limit} requests a minute reached for this account; retry in ${quota.resetSeconds} s`
  })

/** What an admitted request's answer carries, REST and MCP alike: the account's rate-limit headers. */
export const admittedHeaders = (admitted: Admitted): Record<string, string> => quotaHeaders(admitted.quota)

/** What a refusal carries: the Bearer challenge on 401 (RFC 6750), the rate-limit headers and Retry-After on 429. */
export const refusalHeaders = (error: Refused, tokenSent: boolean): Record<string, string> => {
  switch (error._tag) {
    case "RateLimited":
      return quotaHeaders({ limit: error.limit, remaining: 0, resetSeconds: error.retryAfterSeconds }, error.retryAfterSeconds)
    case "Unauthorized":
      return {
        "www-authenticate": tokenSent
          ? `Bearer realm="ClockMe", error="invalid_token", error_description="${headerText(error.message)}"`
          : `Bearer realm="ClockMe"`
      }
    case "WorkspaceNotFound":
      return {}
  }
}

/** What every request goes through, REST or MCP: the key, the workspace it acts in, the account's rate limit. */
export class Admission extends Effect.Service<Admission>()("@clockme/domain/Admission", {
  effect: Effect.gen(function*() {
    const keys = yield* ApiKeys
    const limiter = yield* RateLimiter
    const workspaces = yield* WorkspacesRepo
    const timers = yield* Timers
    const signIn = yield* SignIn

    /**
     * `workspace` names another workspace of the caller's for this one request (the X-ClockMe-Workspace
     * header); one they do not belong to is 404, exactly like one that does not exist.
     */
    const within = Effect.fnUntraced(function*(authenticated: Actor, plan: Plan, workspace?: string) {
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
        actor = { ...actor, workspaceId: id.value, role: member.value.role }
      }
      const limit = requestsPerMinute[plan]
      const quota = yield* limiter.hit(actor.userId, limit)
      if (quota.remaining < 0) return yield* rateLimited(limit, quota)
      const admitted: Admitted = { actor, quota }
      return admitted
    })

    // untraced, as every call on the request path: Effect.fn's span and stack trace cost more than the admission
    const admit = Effect.fnUntraced(function*(token: Redacted.Redacted<string>, workspace?: string, source?: Source) {
      const { actor, plan } = yield* keys.authenticate(token)
      return yield* within(source === undefined ? actor : { ...actor, source }, plan, workspace)
    })

    /**
     * `admit` without an effect, at `now` (epoch ms), for a key whose admission needs neither the database nor a
     * write (ApiKeys.authenticateCached), acting in its own workspace, under a limit counted in memory; otherwise
     * undefined, and `admit` decides. Its answers, refusals and counts are `admit`'s.
     */
    const admitCached = (token: string, workspace: string | undefined, now: number): Admitted | Refused | undefined => {
      const hitAt = limiter.hitAt
      if (hitAt === undefined) return undefined
      const authenticated = keys.authenticateCached(token, now)
      if (authenticated === undefined || authenticated instanceof Unauthorized) return authenticated
      const { actor, plan } = authenticated
      if (workspace !== undefined && workspace !== actor.workspaceId) return undefined
      const limit = requestsPerMinute[plan]
      const quota = hitAt(actor.userId, limit, now)
      return quota.remaining < 0 ? rateLimited(limit, quota) : { actor, quota }
    }

    /**
     * A dashboard session: the account's own actor in its active workspace, with every scope (its role still
     * decides), and the session for the edge's CSRF check. Never offered on /api/mcp.
     */
    const admitSession = Effect.fn("Admission.admitSession")(function*(token: string, workspace?: string) {
      const found = yield* signIn.authenticate(token)
      if (Option.isNone(found)) {
        return yield* new Unauthorized({ message: "The session has expired or was signed out; sign in again" })
      }
      const session = found.value
      const actor: Actor = {
        userId: session.userId,
        workspaceId: session.activeWorkspaceId,
        keyId: null,
        scope: "full",
        role: session.role,
        source: "web"
      }
      const admitted = yield* within(actor, session.plan, workspace)
      return { ...admitted, session }
    })

    /**
     * An agent that drives ClockMe only through MCP sends no hook heartbeats: each call of its that was
     * accepted (its arguments decoded) is its activity, so the idle watchdog leaves its timers running
     * while it works. A read key records nothing.
     */
    const recordActivity = Effect.fnUntraced(function*() {
      const actor = yield* CurrentActor
      if (actor.source !== "mcp" || !scopeCovers(actor.scope, "write")) return
      yield* timers.heartbeat({}).pipe(Effect.ignore)
    })

    return { admit, admitCached, admitSession, recordActivity } as const
  }),
  dependencies: [ApiKeys.Default, WorkspacesRepo.Default, Timers.Default, SignIn.Default]
}) {}
