import { CreateEntry } from "@clockme/domain/contract/Entry"
import { ProjectId } from "@clockme/domain/contract/Ids"
import type { ActingMember, ConnectionOf, InboundContext, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, InboundSkipped, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { Octokit } from "@octokit/rest"
import { verify } from "@octokit/webhooks-methods"
import { Config, Duration, Effect, Redacted, Schema } from "effect"
import { formatMinutes, parseDuration } from "./Duration.js"

const Settings = Schema.Struct({
  repositories: Schema.Record({ key: Schema.String, value: ProjectId }).annotations({
    description: "Which project each repository's time goes to: {\"owner/name\": projectId}"
  }),
  commentOnMerge: Schema.optional(Schema.Boolean)
})
const Secrets = Schema.Struct({
  webhookSecret: Schema.Redacted(Schema.String),
  token: Schema.optional(Schema.Redacted(Schema.String))
})
type Connection = ConnectionOf<typeof Settings.Type, typeof Secrets.Type>

/** The operator's GitHub API (GitHub Enterprise, a proxy, a test's stand-in); trusted, unlike URLs users give. */
export const GitHubApiUrl = Config.string("CLOCKME_GITHUB_API_URL").pipe(Config.withDefault("https://api.github.com"))

/** X-Hub-Signature-256 (`sha256=<hex>`) over the body, by GitHub's own library; anything malformed is no match. */
export const verifySignature = (secret: string, body: string, signature: string) =>
  Effect.tryPromise(() => verify(secret, body, signature)).pipe(Effect.orElseSucceed(() => false))

const User = Schema.Struct({ login: Schema.String })
const Repository = Schema.Struct({ full_name: Schema.String })
const IssueComment = Schema.Struct({
  action: Schema.String,
  issue: Schema.Struct({ number: Schema.Number }),
  comment: Schema.Struct({ body: Schema.String, created_at: Schema.String, user: User }),
  repository: Repository
})
const Push = Schema.Struct({
  ref: Schema.String,
  commits: Schema.Array(Schema.Struct({
    id: Schema.String,
    message: Schema.String,
    timestamp: Schema.String,
    author: Schema.Struct({ email: Schema.optional(Schema.String), username: Schema.optional(Schema.String) })
  })),
  repository: Repository
})
const PullRequest = Schema.Struct({
  action: Schema.String,
  number: Schema.Number,
  pull_request: Schema.Struct({ merged: Schema.optional(Schema.Boolean), head: Schema.Struct({ ref: Schema.String }), user: User }),
  repository: Repository
})

const decode = <A, I>(schema: Schema.Schema<A, I>, body: string) =>
  Schema.decodeUnknown(Schema.parseJson(schema))(body).pipe(
    Effect.mapError(() => new InboundSkipped({ message: "The payload is not the GitHub event its X-GitHub-Event names" }))
  )

const projectOf = (connection: Connection, repository: string) => {
  const projectId = connection.config.repositories[repository]
  return projectId === undefined
    ? Effect.fail(new InboundSkipped({ message: `Repository ${repository} is not mapped to a project in this connection's config` }))
    : Effect.succeed(projectId)
}

/** Logs `minutes` ending at `endedAt` as the member, through the same operation as POST /api/entries. */
const logEntry = (member: ActingMember, projectId: ProjectId, endedAt: string, minutes: number, description: string) =>
  Effect.gen(function*() {
    const end = new Date(endedAt)
    const payload = yield* Schema.decodeUnknown(CreateEntry)({
      projectId,
      startTime: new Date(end.getTime() - minutes * 60_000).toISOString(),
      endTime: end.toISOString(),
      description: description.slice(0, 500)
    }).pipe(Effect.mapError((error) => new InboundSkipped({ message: `Not an entry: ${error.message.split("\n")[0]}` })))
    return yield* member.run("entries", "create", { payload, headers: {} })
  })

const COMMAND = /^\/clockme\s+(\S+)\s*(.*)$/s
const COMMIT_TAG = /\[clockme\s+([^\]\s]+)\]/i

/** The time an answer may ask GitHub to wait before a retry, from its Retry-After header. */
const retryAfterOf = (error: unknown) => {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers
  const seconds = Number(headers?.["retry-after"])
  return Number.isFinite(seconds) && seconds > 0 ? Duration.seconds(seconds) : undefined
}

/** Octokit logs each request to the console; the delivery log records them instead. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

const statusOf = (error: unknown) => (error as { status?: number }).status

/** Hidden in the merged-PR comment (an HTML comment GitHub does not render), so a retry can find what it posted. */
export const commentMarker = (connectionId: string, repository: string, number: number) =>
  `<!-- clockme:pr-time ${connectionId}/${repository}#${number} -->`

/**
 * GitHub: `/clockme 1h30m description` issue comments and `[clockme 45m]` commit messages log entries for their
 * mapped author; a merged pull request gets one comment with the time tracked on it.
 */
export const GitHubPlugin = pluginLayer(Effect.gen(function*() {
  const baseUrl = (yield* Effect.orDie(GitHubApiUrl)).replace(/\/+$/, "")

  const failed = (what: string) => (error: unknown) =>
    new DeliveryFailed({
      message: `GitHub answered ${statusOf(error) ?? "nothing"} to ${what}`,
      status: statusOf(error),
      retryAfter: retryAfterOf(error)
    })

  /**
   * GitHub takes no idempotency key: the comment carries a hidden marker, and a comment already bearing it (posted
   * by an attempt whose answer or record was lost) counts as posted. One GET per merge buys that.
   */
  const comment = (connection: Connection, repository: string, number: number, body: string) =>
    Effect.gen(function*() {
      if (connection.secrets.token === undefined) {
        return yield* new InboundSkipped({ message: "No token in this connection's secrets: cannot comment on GitHub" })
      }
      const octokit = new Octokit({ auth: Redacted.value(connection.secrets.token), baseUrl, log: quiet })
      const [owner, repo] = repository.split("/") as [string, string]
      const marker = commentMarker(connection.id, repository, number)
      const existing = yield* Effect.tryPromise({
        try: () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 }),
        catch: failed(`the list of comments on ${repository}#${number}`)
      }).pipe(Effect.withSpan("GitHub.listComments"))
      if (existing.some((posted) => posted.body?.includes(marker) === true)) return
      yield* Effect.tryPromise({
        try: () => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: `${body}\n\n${marker}` }),
        catch: failed(`the comment on ${repository}#${number}`)
      }).pipe(Effect.withSpan("GitHub.createComment"))
    })

  const issueComment = (body: string, connection: Connection, context: InboundContext) =>
    Effect.gen(function*() {
      const event = yield* decode(IssueComment, body)
      const match = COMMAND.exec(event.comment.body.trim())
      if (event.action !== "created" || match === null) return { status: 200, body: { ignored: "not a /clockme comment" } }
      const minutes = parseDuration(match[1]!)
      if (minutes === undefined) {
        return yield* new InboundSkipped({ message: `"${match[1]}" is not a duration such as 1h30m, 90m or 1.5h` })
      }
      const projectId = yield* projectOf(connection, event.repository.full_name)
      const member = yield* context.actAs(event.comment.user.login, { label: "GitHub user" })
      const reference = `${event.repository.full_name}#${event.issue.number}`
      const description = match[2]!.trim() === "" ? reference : `${reference} ${match[2]!.trim()}`
      const entry = yield* logEntry(member, projectId, event.comment.created_at, minutes, description)
      return { status: 200, body: { entryId: entry.id, actedAs: member.userId, mappedBy: member.mappedBy } }
    })

  const push = (body: string, connection: Connection, context: InboundContext) =>
    Effect.gen(function*() {
      const event = yield* decode(Push, body)
      const tagged = event.commits.flatMap((commit) => {
        const match = COMMIT_TAG.exec(commit.message)
        const minutes = match === null ? undefined : parseDuration(match[1]!)
        return minutes === undefined ? [] : [{ commit, minutes }]
      })
      if (tagged.length === 0) return { status: 200, body: { ignored: "no [clockme <duration>] in the commits" } }
      const projectId = yield* projectOf(connection, event.repository.full_name)
      const branch = event.ref.startsWith("refs/heads/") ? event.ref.slice("refs/heads/".length) : undefined
      const logged: Array<{ commit: string; entryId: string; mappedBy: string }> = []
      for (const { commit, minutes } of tagged) {
        const member = yield* context.actAs(commit.author.username ?? commit.author.email ?? "", {
          email: commit.author.email,
          label: "commit author"
        })
        const title = commit.message.split("\n")[0]!.replace(COMMIT_TAG, "").trim()
        const entry = yield* logEntry(
          member,
          projectId,
          commit.timestamp,
          minutes,
          `${event.repository.full_name}@${commit.id.slice(0, 7)}${branch === undefined ? "" : ` (${branch})`} ${title}`
        )
        logged.push({ commit: commit.id, entryId: entry.id, mappedBy: member.mappedBy })
      }
      return { status: 200, body: { logged } }
    })

  const pullRequest = (body: string, connection: Connection, context: InboundContext) =>
    Effect.gen(function*() {
      const event = yield* decode(PullRequest, body)
      if (event.action !== "closed" || event.pull_request.merged !== true || connection.config.commentOnMerge === false) {
        return { status: 200, body: { ignored: "not a merge to comment on" } }
      }
      const repository = event.repository.full_name
      const projectId = yield* projectOf(connection, repository)
      const member = yield* context.actAs(event.pull_request.user.login, { label: "GitHub user" })
      const reference = `${repository}#${event.number}`
      const branch = event.pull_request.head.ref
      let seconds = 0
      let cursor: string | undefined
      do {
        const page = yield* member.run("entries", "list", {
          urlParams: { projectId, scope: "workspace", limit: 500, ...(cursor ? { cursor } : {}) }
        })
        for (const entry of page.entries) {
          const text = entry.description ?? ""
          if (text.includes(reference) || text.includes(branch) || entry.gitBranch === branch) seconds += entry.durationSeconds
        }
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)
      const text = `⏱ ${formatMinutes(Math.round(seconds / 60))} tracked on ${reference} (ClockMe)`
      const posted = yield* context.once(`merged:${reference}`, comment(connection, repository, event.number, text))
      return { status: 200, body: { commented: posted, trackedSeconds: seconds } }
    })

  return {
    id: "github",
    version: "1.0.0",
    title: "GitHub",
    description: "Logs time from /clockme comments and [clockme 45m] commits; comments the tracked time on merged PRs",
    config: Settings,
    secrets: Secrets,
    inbound: [{
      route: "webhook",
      verify: (request: InboundRequest, connection: Connection) =>
        Effect.flatMap(
          verifySignature(
            Redacted.value(connection.secrets.webhookSecret),
            new TextDecoder().decode(request.rawBody),
            request.headers["x-hub-signature-256"] ?? ""
          ),
          (valid) =>
            valid ? Effect.void : Effect.fail(new InboundRejected({ message: "X-Hub-Signature-256 does not match the body" }))
        ),
      deliveryId: (request: InboundRequest) => request.headers["x-github-delivery"],
      handle: (request: InboundRequest, connection: Connection, context: InboundContext) => {
        const body = new TextDecoder().decode(request.rawBody)
        switch (request.headers["x-github-event"]) {
          case "issue_comment":
            return issueComment(body, connection, context)
          case "push":
            return push(body, connection, context)
          case "pull_request":
            return pullRequest(body, connection, context)
          default:
            return Effect.succeed({ status: 200, body: { ignored: request.headers["x-github-event"] ?? "no event" } })
        }
      }
    }]
  }
}))
