import { SqlClient } from "@effect/sql"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Schema, TestClock } from "effect"
import { Entry } from "../src/contract/Entry.js"
import { EntriesRepo } from "../src/repos/EntriesRepo.js"
import { Entries } from "../src/services/Entries.js"
import { Projects } from "../src/services/Projects.js"
import { Tasks } from "../src/services/Tasks.js"
import { ServiceTest, signUp } from "./lib/ServiceTest.js"

const answer = Schema.encodeSync(Entry)

describe("a page of entries", () => {
  it.effect("lists every field of each entry as reading that entry alone does", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-06-10T12:00:00Z"))
      const entries = yield* Entries
      const repo = yield* EntriesRepo
      const sql = yield* SqlClient.SqlClient
      const me = yield* signUp()
      const project = yield* me.run(Effect.flatMap(Projects, (projects) => projects.create({ name: "Paged" })))
      const task = yield* me.run(Effect.flatMap(Tasks, (tasks) => tasks.create({ projectId: project.id, name: "Task" })))
      const made = [
        yield* me.run(entries.create({ projectId: project.id, startTime: DateTime.unsafeMake("2026-06-01T09:00:00Z"), durationMinutes: 30 })),
        yield* me.run(entries.create({
          projectId: project.id,
          taskId: task.id,
          description: "with everything",
          billable: false,
          idempotencyKey: "page-test-1",
          startTime: DateTime.unsafeMake("2026-06-02T09:00:00Z"),
          durationMinutes: 45
        }))
      ]
      // what only a timer's entry has: activity, a branch, heartbeats, AI usage priced and unpriced
      const [timer] = yield* sql<{ timerId: string }>`
        UPDATE entries SET timer_id = gen_random_uuid(), git_branch = 'main', heartbeats = 7, sessions = 2, pauses = 1,
          late_heartbeats = 1, paused_seconds = 60, first_activity_at = start_time, last_activity_at = end_time
        WHERE id = ${made[1]!.id} RETURNING timer_id`
      for (const [n, cost] of [[1, "0.250000"], [2, null]] as const) {
        yield* sql`
          INSERT INTO ai_usage (workspace_id, user_id, session_id, request_key, timer_id, model, input_tokens, output_tokens,
            cache_read_tokens, cache_creation_tokens, cost_usd, cost_source, occurred_at, received_at)
          VALUES (${me.actor.workspaceId}, ${me.actor.userId}, 's', ${`k${n}`}, ${timer!.timerId}, ${`model-${n}`}, 10, 20, 3, 4,
            ${cost}, ${cost === null ? "unpriced" : "reported"}, now(), now())`
      }
      const page = yield* me.run(entries.list({ limit: 500 }))
      expect(page.entries.map((entry) => entry.id)).toEqual([made[1]!.id, made[0]!.id])
      for (const listed of page.entries) {
        const alone = Option.getOrThrow(yield* repo.findById(me.actor.workspaceId, listed.id))
        expect(answer(listed)).toEqual(answer(alone))
      }
      expect(answer(page.entries[0]!)).toMatchObject({
        gitBranch: "main",
        heartbeats: 7,
        firstActivityAt: "2026-06-02T09:00:00.000Z",
        usage: { requests: 2, costUsd: 0.25, unpricedModels: ["model-2"] }
      })
    }).pipe(Effect.provide(EntriesRepo.Default.pipe(Layer.provideMerge(ServiceTest)))))
})
