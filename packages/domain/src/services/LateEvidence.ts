import { DateTime, Effect, Option } from "effect"
import type { Entry, StopReason } from "../contract/Entry.js"
import type { ProjectId, TimerId, UserId, WorkspaceId } from "../contract/Ids.js"
import { EntryDeleted, EntryUpdated } from "../contract/Events.js"
import { LateEvidenceRepo } from "../repos/LateEvidenceRepo.js"
import { Budgets } from "./Budgets.js"
import { Events } from "./Events.js"

/** Evidence of work that reached the server late: activity from `since` to `at` (one heartbeat: since = at). */
export interface LateActivity {
  readonly userId: UserId
  readonly workspaceId: WorkspaceId
  readonly projectId: ProjectId
  readonly sessionId: string | undefined
  readonly since: DateTime.Utc
  readonly at: DateTime.Utc
  readonly heartbeats: number
  readonly now: DateTime.Utc
  /** The project has no timer, so a session still active may get its timer back. */
  readonly mayReopen: boolean
  /** The extended entry ends no later than this (a timer that started meanwhile). */
  readonly endBy?: DateTime.Utc | undefined
  /** A late stop: the entry ends at `at` with this reason. */
  readonly stopReason?: StopReason | undefined
}

export type LateOutcome =
  /** The entry now ends at the late evidence. */
  | { readonly _tag: "Extended"; readonly entry: Entry }
  /** The session is still active: the entry was removed and its timer runs again from the entry's start. */
  | { readonly _tag: "Reopened"; readonly removed: Entry; readonly timerId: TimerId }

/**
 * Late evidence extends: events queued while the server was unreachable continue the entry the watchdog
 * stopped as idle meanwhile (same user, project and session), instead of leaving a hole. Entries stopped by
 * a person or by a session end are never touched.
 */
export class LateEvidence extends Effect.Service<LateEvidence>()("@clockme/domain/LateEvidence", {
  effect: Effect.gen(function*() {
    const repo = yield* LateEvidenceRepo
    const budgets = yield* Budgets
    const events = yield* Events

    const idleTimeoutOf = repo.idleTimeoutOf

    /** The one place late evidence changes an entry; the caller's transaction holds it. */
    const extendIdleEntry = Effect.fn("LateEvidence.extendIdleEntry")(function*(late: LateActivity) {
      const found = yield* repo.findExtendable({
        userId: late.userId,
        workspaceId: late.workspaceId,
        projectId: late.projectId,
        sessionId: late.sessionId,
        since: DateTime.toDate(late.since),
        at: DateTime.toDate(late.at),
        endingAtCounts: late.stopReason !== undefined
      })
      if (Option.isNone(found)) return Option.none<LateOutcome>()
      const idle = found.value
      const stillActive = DateTime.distance(late.at, late.now) <= idle.idleTimeoutMinutes * 60_000
      if (late.mayReopen && late.stopReason === undefined && stillActive) {
        const timerId = yield* repo.reopen(idle, {
          lastActivityAt: DateTime.toDate(late.at),
          heartbeats: late.heartbeats,
          sessionId: late.sessionId
        })
        if (Option.isSome(timerId)) {
          // The caller publishes TimerStarted for the timer that runs again.
          yield* events.publish(
            new EntryDeleted({ occurredAt: late.now, workspaceId: late.workspaceId, userId: late.userId, entry: idle.entry })
          )
          return Option.some<LateOutcome>({ _tag: "Reopened", removed: idle.entry, timerId: timerId.value })
        }
      }
      const end = late.endBy === undefined ? late.at : DateTime.min(late.at, late.endBy)
      const addedMs = Math.max(0, DateTime.distance(idle.entry.endTime, end))
      const entry = yield* repo.extend(idle.entry.id, {
        endTime: DateTime.toDate(DateTime.max(end, idle.entry.endTime)),
        durationSeconds: Math.round((idle.entry.durationSeconds * 1000 + addedMs) / 1000),
        heartbeats: late.heartbeats,
        lastActivityAt: DateTime.toDate(end),
        sessionId: late.sessionId,
        stopReason: late.stopReason,
        now: DateTime.toDate(late.now)
      })
      yield* events.publish(
        new EntryUpdated({
          occurredAt: late.now,
          workspaceId: late.workspaceId,
          userId: late.userId,
          entry,
          previous: idle.entry,
          reason: "late_evidence"
        })
      )
      yield* budgets.recordUsage(entry)
      return Option.some<LateOutcome>({ _tag: "Extended", entry })
    })

    return { extendIdleEntry, idleTimeoutOf } as const
  }),
  dependencies: [LateEvidenceRepo.Default, Budgets.Default, Events.Default]
}) {}
