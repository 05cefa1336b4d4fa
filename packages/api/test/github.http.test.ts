import { describe, expect, it } from "@effect/vitest"
import { createHmac, randomUUID } from "node:crypto"
import { Effect, TestClock } from "effect"
import { inboundServer } from "./lib/InboundServer.js"
import type { InboundServer } from "./lib/InboundServer.js"
import { receiver } from "./lib/Receiver.js"
import { call } from "./lib/TestServer.js"

const SECRET = "gh-webhook-secret"
const TOKEN = "ghp_standin_token"

/** A GitHub connection for acme/web → a new project, GitHub's API played by a loopback stand-in. */
const github = (s: InboundServer) =>
  Effect.gen(function*() {
    const project = yield* s.api("POST", "/api/projects", { name: `gh-${randomUUID().slice(0, 8)}` })
    const created = yield* s.api("POST", "/api/integrations", {
      integration: "github",
      config: { repositories: { "acme/web": project.body.id } },
      secrets: { webhookSecret: SECRET, token: TOKEN }
    })
    expect(created.status).toBe(201)
    const send = (event: string, payload: unknown, delivery: string, signature?: string) => {
      const raw = JSON.stringify(payload)
      return call(s.base, "POST", `/api/integrations/github/inbound/${created.body.id}/webhook`, {
        rawBody: raw,
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": delivery,
          "x-hub-signature-256": signature ?? `sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`
        }
      })
    }
    const log = Effect.map(s.api("GET", `/api/integrations/${created.body.id}/deliveries?limit=200`), (r) =>
      new Map((r.body as Array<any>).map((d) => [d.id, d])))
    return { id: created.body.id as string, projectId: project.body.id as string, send, log }
  })

const entries = (s: InboundServer) =>
  Effect.map(s.api("GET", "/api/entries?limit=100&scope=workspace"), (reply) => reply.body.entries as Array<any>)

const comment = (login: string, body: string, number = 7) => ({
  action: "created",
  issue: { number },
  comment: { body, created_at: "2026-06-01T12:00:00Z", user: { login } },
  repository: { full_name: "acme/web" }
})

const merged = (number: number) => ({
  action: "closed",
  number,
  pull_request: { merged: true, head: { ref: "fix-login" }, user: { login: "octocat" } },
  repository: { full_name: "acme/web" }
})

/**
 * GitHub's comments on acme/web#7, kept by the stand-in: listed on GET; on POST stored and answered 201 ("ok"),
 * stored and answered 502 ("lost": GitHub made it, ClockMe never heard), or refused with 429 ("busy").
 */
const gitHubComments = (api: Effect.Effect.Success<typeof receiver>) => {
  const state = {
    posting: "ok" as "ok" | "lost" | "busy",
    stored: [] as Array<{ id: number; body: string }>,
    posts: () => api.received.filter((r) => r.method === "POST")
  }
  const json = { "content-type": "application/json" }
  api.answer.byPath = (path, method) => {
    if (!path.startsWith("/gh-api/repos/acme/web/issues/7/comments")) return undefined
    if (method === "GET") return { status: 200, headers: json, body: JSON.stringify(state.stored) }
    if (state.posting === "busy") return { status: 429, headers: { ...json, "retry-after": "30" }, body: "{}" }
    const comment = { id: state.stored.length + 1, body: JSON.parse(api.received.at(-1)!.body).body as string }
    state.stored.push(comment)
    return state.posting === "ok" ? { status: 201, headers: json, body: JSON.stringify(comment) } : { status: 502, body: "{}" }
  }
  return state
}

describe("GitHub plugin over the real server, GitHub played on loopback", () => {
  it.scoped("comments and commits log time as the mapped author; verified, deduped, unmapped skipped; a merge comments once after a 429", () =>
    Effect.gen(function*() {
      const api = yield* receiver
      const s = yield* inboundServer({ CLOCKME_GITHUB_API_URL: `${api.url}/gh-api/` })
      const gh = yield* github(s)
      const mapped = yield* s.api("POST", `/api/integrations/${gh.id}/identities`, { externalId: "octocat", userId: s.user.id })
      expect(mapped.status).toBe(200)

      // /clockme on an issue comment: an entry for the comment's author, ending when the comment was made
      const first = yield* gh.send("issue_comment", comment("octocat", "/clockme 1h30m fixing the login form"), "d-1")
      expect(first.status).toBe(202)
      expect((yield* gh.send("issue_comment", comment("octocat", "/clockme 1h30m fixing the login form"), "d-1")).body)
        .toEqual({ deliveryId: first.body.deliveryId, duplicate: true })
      const tampered = yield* gh.send("issue_comment", comment("octocat", "/clockme 9h"), "d-2", `sha256=${"0".repeat(64)}`)
      expect(tampered.status).toBe(401)
      const stranger = yield* gh.send("issue_comment", comment("stranger", "/clockme 2h"), "d-3")
      const chatter = yield* gh.send("issue_comment", comment("octocat", "looks good to me"), "d-4")
      // a push: commits tagged [clockme 45m], their author matched by the email GitHub gives
      const push = yield* gh.send("push", {
        ref: "refs/heads/fix-login",
        commits: [
          { id: "a1b2c3d4e5f6", message: "Fix the form [clockme 45m]\n\nbody", timestamp: "2026-06-01T15:00:00Z", author: { email: s.user.email, username: "ada-unmapped" } },
          { id: "0000000fffff", message: "No time here", timestamp: "2026-06-01T15:10:00Z", author: { email: s.user.email } }
        ],
        repository: { full_name: "acme/web" }
      }, "d-5")
      yield* s.deliver

      const logged = (yield* entries(s)).sort((a, b) => a.startTime.localeCompare(b.startTime))
      expect(logged.map((e) => [e.description, e.durationSeconds, e.startTime, e.endTime, e.source])).toEqual([
        ["acme/web#7 fixing the login form", 5400, "2026-06-01T10:30:00.000Z", "2026-06-01T12:00:00.000Z", "integration"],
        ["acme/web@a1b2c3d (fix-login) Fix the form", 2700, "2026-06-01T14:15:00.000Z", "2026-06-01T15:00:00.000Z", "integration"]
      ])
      const log = yield* gh.log
      expect(log.get(first.body.deliveryId)).toMatchObject({ state: "delivered" })
      expect(JSON.parse(log.get(first.body.deliveryId).log[0].response)).toMatchObject({ mappedBy: "identity" })
      expect(JSON.parse(log.get(push.body.deliveryId).log[0].response).logged).toMatchObject([{ mappedBy: "email" }])
      expect(log.get(stranger.body.deliveryId)).toMatchObject({ state: "skipped" })
      expect(log.get(stranger.body.deliveryId).lastError).toContain(`GitHub user "stranger" is not mapped`)
      expect(log.get(chatter.body.deliveryId)).toMatchObject({ state: "delivered" })

      // an AI tool's session on the PR's branch (the hook sends it), and one on another branch
      for (const [gitBranch, minutes] of [["fix-login", 20], ["main", 50]] as const) {
        const hook = { projectId: gh.projectId, source: "hook", description: "Claude Code session", gitBranch }
        expect((yield* s.api("POST", "/api/timer/start", hook)).status).toBe(200)
        yield* TestClock.adjust(`${minutes} minutes`)
        yield* s.api("POST", "/api/timer/heartbeat", { projectId: gh.projectId, source: "hook", gitBranch })
        expect((yield* s.api("POST", "/api/timer/stop", { projectId: gh.projectId })).body).toMatchObject({ gitBranch })
      }
      expect((yield* s.api("POST", "/api/timer/start", { projectId: gh.projectId, gitBranch: "" })).status).toBe(400)

      // the PR merges: GitHub first answers 429 with Retry-After, the comment goes once it may
      const comments = gitHubComments(api)
      comments.posting = "busy"
      const merge = yield* gh.send("pull_request", merged(7), "d-6")
      yield* s.deliver
      expect(comments.posts()).toHaveLength(1)
      expect((yield* gh.log).get(merge.body.deliveryId)).toMatchObject({ state: "pending", lastStatus: 429 })
      comments.posting = "ok"
      yield* TestClock.adjust("20 seconds")
      yield* s.deliver
      expect(comments.posts()).toHaveLength(1)
      yield* TestClock.adjust("11 seconds")
      yield* s.deliver
      expect(comments.posts()).toHaveLength(2)
      const posted = comments.posts()[1]!
      expect(posted.path).toBe("/gh-api/repos/acme/web/issues/7/comments")
      expect(posted.headers.authorization).toBe(`token ${TOKEN}`)
      expect(JSON.parse(posted.body)).toEqual({
        body: `⏱ 2h 35m tracked on acme/web#7 (ClockMe)\n\n<!-- clockme:pr-time ${gh.id}/acme/web#7 -->`
      })
      expect(api.received.filter((r) => r.method === "GET").map((r) => r.path))
        .toEqual(Array(2).fill("/gh-api/repos/acme/web/issues/7/comments?per_page=100"))
      expect((yield* gh.log).get(merge.body.deliveryId)).toMatchObject({ state: "delivered" })

      // closed again (reopened and merged anew): another delivery, never a second comment
      yield* gh.send("pull_request", merged(7), "d-7")
      yield* s.deliver
      expect(comments.posts()).toHaveLength(2)
      expect(comments.stored).toHaveLength(1)
    }))

  it.scoped("a merge comment GitHub made but whose answer was lost is found by its marker on the retry: one comment", () =>
    Effect.gen(function*() {
      const api = yield* receiver
      const s = yield* inboundServer({ CLOCKME_GITHUB_API_URL: `${api.url}/gh-api/` })
      const gh = yield* github(s)
      expect((yield* s.api("POST", `/api/integrations/${gh.id}/identities`, { externalId: "octocat", userId: s.user.id })).status)
        .toBe(200)
      const comments = gitHubComments(api)
      // someone else's comment is on the PR already; it is not ours
      comments.stored.push({ id: 1, body: "Nice work" })
      // GitHub stores the comment, then the answer is lost (a proxy's 502): to ClockMe the attempt failed
      comments.posting = "lost"
      const merge = yield* gh.send("pull_request", merged(7), "d-lost")
      yield* s.deliver
      expect(comments.stored).toHaveLength(2)
      expect((yield* gh.log).get(merge.body.deliveryId)).toMatchObject({ state: "pending", lastStatus: 502 })
      comments.posting = "ok"
      yield* TestClock.adjust("1 hour")
      yield* s.deliver
      expect((yield* gh.log).get(merge.body.deliveryId)).toMatchObject({ state: "delivered" })
      expect(comments.posts()).toHaveLength(1)
      expect(comments.stored.map((c) => c.body.split("\n")[0])).toEqual(["Nice work", "⏱ 0m tracked on acme/web#7 (ClockMe)"])
    }))
})
