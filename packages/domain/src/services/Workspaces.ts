import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Equal } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { WorkspaceCreated, WorkspaceUpdated } from "../contract/Events.js"
import type { ProjectId, UserId, WorkspaceId } from "../contract/Ids.js"
import { AccountsRepo } from "../repos/AccountsRepo.js"
import { ReportsRepo } from "../repos/ReportsRepo.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { MemberHours, MemberProjectHours, ProjectHours, TeamSummary, WorkspaceSettings } from "../contract/Workspace.js"
import type { CreateWorkspace, SummaryQuery, UpdateWorkspace } from "../contract/Workspace.js"
import { Events } from "./Events.js"
import { AdmissionCache } from "./AdmissionCache.js"
import { hoursOf, resolvePeriod } from "./Periods.js"
import { WorkspaceAccess } from "./WorkspaceAccess.js"
import { transactional } from "../sql/Transactional.js"

/** Workspaces and their settings: listing, creating, renaming, the active one, and the team summary. */
export class Workspaces extends Effect.Service<Workspaces>()("@clockme/domain/Workspaces", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const repo = yield* WorkspacesRepo
    const reports = yield* ReportsRepo
    const accounts = yield* AccountsRepo
    const events = yield* Events
    const cache = yield* AdmissionCache
    const { membership, reload, unrestricted } = yield* WorkspaceAccess

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      return yield* repo.listForUser(actor.userId, actor.keyWorkspaceId ?? undefined)
    }).pipe(Effect.withSpan("Workspaces.list"))

    const get = Effect.fn("Workspaces.get")(function*(id: WorkspaceId) {
      return yield* membership(id)
    })

    /** A shared workspace with the caller as its owner. */
    const create = Effect.fn("Workspaces.create")(function*(input: CreateWorkspace) {
      const actor = yield* CurrentActor
      yield* unrestricted("create workspaces")
      const now = yield* DateTime.now
      const id = yield* repo.create(actor.userId, input, DateTime.toDate(now))
      const workspace = yield* reload(id)
      yield* events.publish(
        new WorkspaceCreated({ occurredAt: now, workspaceId: id, userId: actor.userId, workspace: WorkspaceSettings.of(workspace) })
      )
      return workspace
    }, transactional(sql))

    const update = Effect.fn("Workspaces.update")(function*(id: WorkspaceId, patch: UpdateWorkspace) {
      const actor = yield* CurrentActor
      const before = WorkspaceSettings.of(yield* membership(id))
      yield* repo.update(id, patch)
      const workspace = yield* reload(id)
      const after = WorkspaceSettings.of(workspace)
      if (!Equal.equals(before, after)) {
        const now = yield* DateTime.now
        yield* events.publish(
          new WorkspaceUpdated({ occurredAt: now, workspaceId: id, userId: actor.userId, workspace: after, previous: before })
        )
      }
      return workspace
    }, transactional(sql))

    /** Makes the workspace the one every later call of this user acts in. */
    const activate = Effect.fn("Workspaces.activate")(function*(id: WorkspaceId) {
      const actor = yield* CurrentActor
      yield* membership(id)
      yield* repo.setActive(actor.userId, id)
      return yield* reload(id)
    }, cache.invalidating)

    /** Hours by member, by project and by both; any member may read it. */
    const summary = Effect.fn("Workspaces.summary")(function*(id: WorkspaceId, query: SummaryQuery) {
      const actor = yield* CurrentActor
      yield* membership(id)
      const user = yield* accounts.findUserById(actor.userId).pipe(Effect.flatMap(Effect.orDie))
      const period = yield* resolvePeriod(query, user.timezone)
      const rows = yield* reports.teamHours(id, period)
      const amounts = (r: (typeof rows)[number]) => ({
        hours: hoursOf(r.seconds),
        billableHours: hoursOf(r.billableSeconds),
        entries: r.entries
      })
      const memberRows = rows.filter((r) => r.byMember && !r.byProject)
      const byMember = memberRows.map((r) =>
        new MemberHours({ userId: r.userId as UserId, name: r.memberName ?? "", email: r.email ?? "", ...amounts(r) })
      )
      const byProject = rows.filter((r) => r.byProject && !r.byMember).map((r) =>
        new ProjectHours({ projectId: r.projectId as ProjectId, name: r.projectName ?? "", ...amounts(r) })
      )
      const byMemberProject = rows.filter((r) => r.byMember && r.byProject).map((r) =>
        new MemberProjectHours({
          userId: r.userId as UserId,
          projectId: r.projectId as ProjectId,
          memberName: r.memberName ?? "",
          projectName: r.projectName ?? "",
          ...amounts(r)
        })
      )
      const total = (pick: (r: (typeof rows)[number]) => number) => memberRows.reduce((sum, r) => sum + pick(r), 0)
      const totalSeconds = total((r) => r.seconds)
      const totalBillable = total((r) => r.billableSeconds)
      const totalEntries = total((r) => r.entries)
      return new TeamSummary({
        workspaceId: id,
        from: period.from,
        to: period.to,
        totalHours: hoursOf(totalSeconds),
        totalBillableHours: hoursOf(totalBillable),
        totalEntries,
        byMember,
        byProject,
        byMemberProject
      })
    })

    return {
      list,
      get,
      membership,
      create,
      update,
      activate,
      summary
    } as const
  }),
  dependencies: [
    WorkspacesRepo.Default,
    ReportsRepo.Default,
    AccountsRepo.Default,
    WorkspaceAccess.Default,
    Events.Default,
    AdmissionCache.Default
  ]
}) {}
