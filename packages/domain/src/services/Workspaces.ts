import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import { CurrentActor, requireScope } from "../Actor.js"
import type { ProjectId, UserId, WorkspaceId } from "../Ids.js"
import type { ReportQuery } from "../Report.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ReportsRepo } from "../repos/ReportsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import {
  InviteInvalid,
  JoinedWorkspace,
  MemberHours,
  MemberProjectHours,
  ProjectHours,
  TeamSummary,
  WorkspaceNotFound
} from "../Workspace.js"
import { hoursOf, resolvePeriod } from "./Periods.js"

export class Workspaces extends Effect.Service<Workspaces>()("@clockme/domain/Workspaces", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const reports = yield* ReportsRepo
    const accounts = yield* AccountsRepo

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listForUser(actor.userId)
    }).pipe(Effect.withSpan("Workspaces.list"))

    const membership = Effect.fn("Workspaces.membership")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      const found = yield* repo.findMembership(actor.userId, id)
      return yield* Option.match(found, {
        onNone: () => Effect.fail(new WorkspaceNotFound({ workspaceId: id, message: `Workspace ${id} not found` })),
        onSome: Effect.succeed
      })
    })

    const join = Effect.fn("Workspaces.join")(
      function*(code: string) {
        const actor = yield* requireScope("write")
        const found = yield* repo.findInviteForUpdate(code)
        if (Option.isNone(found)) {
          return yield* new InviteInvalid({ reason: "unknown", message: "No workspace has this invite code" })
        }
        const invite = found.value
        const workspaceId = invite.workspaceId as WorkspaceId
        const existing = yield* repo.findMembership(actor.userId, workspaceId)
        if (Option.isSome(existing)) return new JoinedWorkspace({ workspace: existing.value, alreadyMember: true })
        const now = DateTime.toDate(yield* DateTime.now)
        if (invite.revokedAt !== null) {
          return yield* new InviteInvalid({ reason: "revoked", message: "This invite code has been revoked" })
        }
        if (invite.expiresAt !== null && invite.expiresAt <= now) {
          return yield* new InviteInvalid({ reason: "expired", message: "This invite code has expired" })
        }
        if (invite.maxUses !== null && invite.uses >= invite.maxUses) {
          return yield* new InviteInvalid({ reason: "used_up", message: "This invite code has been used up" })
        }
        yield* repo.addMember(workspaceId, actor.userId, invite.id)
        const joined = yield* repo.findMembership(actor.userId, workspaceId).pipe(Effect.flatMap(Effect.orDie))
        return new JoinedWorkspace({ workspace: joined, alreadyMember: false })
      },
      (effect) => sql.withTransaction(effect).pipe(Effect.catchTag("SqlError", Effect.die))
    )

    /** Hours by member, by project and by both; any member may read it. */
    const summary = Effect.fn("Workspaces.summary")(function*(id: WorkspaceId, query: ReportQuery) {
      const actor = yield* CurrentActor
      yield* membership(id)
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const period = yield* resolvePeriod(query, user.timezone)
      const rows = yield* reports.teamHours(id, period)
      const byMember = rows.filter((r) => r.byMember && !r.byProject).map((r) =>
        new MemberHours({
          userId: r.userId as UserId,
          name: r.name ?? "",
          email: r.email ?? "",
          hours: hoursOf(r.seconds),
          billableHours: hoursOf(r.billableSeconds),
          entries: r.entries
        })
      )
      const byProject = rows.filter((r) => r.byProject && !r.byMember).map((r) =>
        new ProjectHours({
          projectId: r.projectId as ProjectId,
          name: r.name ?? "",
          hours: hoursOf(r.seconds),
          billableHours: hoursOf(r.billableSeconds),
          entries: r.entries
        })
      )
      const byMemberProject = rows.filter((r) => r.byMember && r.byProject).map((r) =>
        new MemberProjectHours({
          userId: r.userId as UserId,
          projectId: r.projectId as ProjectId,
          hours: hoursOf(r.seconds),
          entries: r.entries
        })
      )
      const totalSeconds = rows.filter((r) => r.byMember && !r.byProject).reduce((sum, r) => sum + r.seconds, 0)
      return new TeamSummary({
        workspaceId: id,
        from: period.from,
        to: period.to,
        totalHours: hoursOf(totalSeconds),
        byMember,
        byProject,
        byMemberProject
      })
    })

    return { list, membership, join, summary } as const
  }),
  dependencies: [WorkspacesRepo.Default, ReportsRepo.Default, AccountsRepo.Default]
}) {}
