import { ProjectId } from "@clockme/domain/contract/Ids"
import type { ActingMember, ConnectionOf, InboundContext, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, InboundSkipped, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { LinearClient } from "@linear/sdk"
import { LinearWebhookClient } from "@linear/sdk/webhooks"
import { createHash } from "node:crypto"
import { Clock, Config, Duration, Effect, Redacted, Schema } from "effect"
import { formatMinutes } from "../github/Duration.js"

const Settings = Schema.Struct({
  teams: Schema.optional(Schema.Record({ key: Schema.String, value: ProjectId })).annotations({
    description: "Which project a team's issues go to: {\"ENG\": projectId}"
  }),
  projects: Schema.optional(Schema.Record({ key: Schema.String, value: ProjectId })).annotations({
    description: "Which project a Linear project's issues go to (before teams): {\"<linear project id>\": projectId}"
  }),
  commentOnComplete: Schema.optional(Schema.Boolean)
})
const Secrets = Schema.Struct({ webhookSecret: Schema.Redacted(Schema.String), apiKey: Schema.optional(Schema.Redacted(Schema.String)) })
type Connection = ConnectionOf<typeof Settings.Type, typeof Secrets.Type>

/** The operator's Linear GraphQL endpoint (a proxy, a test's stand-in); trusted. */
export const LinearApiUrl = Config.string("CLOCKME_LINEAR_API_URL").pipe(Config.withDefault("https://api.linear.app/graphql"))

/** Linear's replay window: a delivery whose signed webhookTimestamp is further than this from now is refused. */
const MAX_SKEW_MS = 60_000

/** The signed body's webhookTimestamp (ms), when it is a number. */
const timestampOf = (rawBody: Uint8Array) => {
  try {
    const sent = (JSON.parse(new TextDecoder().decode(rawBody)) as { webhookTimestamp?: unknown }).webhookTimestamp
    return typeof sent === "number" && Number.isFinite(sent) ? sent : undefined
  } catch {
    return undefined
  }
}

/** A UUID v4-shaped id derived from `text`: the same text, the same id. */
const uuidOf = (text: string) => {
  const hex = createHash("sha256").update(text).digest("hex")
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const IssueUpdate = Schema.Struct({
  action: Schema.String,
  type: Schema.String,
  updatedFrom: Schema.optional(Schema.Struct({ stateId: Schema.optional(Schema.String) })),
  data: Schema.Struct({
    id: Schema.String,
    identifier: Schema.String,
    title: Schema.String,
    projectId: Schema.optional(Schema.NullOr(Schema.String)),
    state: Schema.Struct({ type: Schema.String }),
    assignee: Schema.optional(Schema.NullOr(Schema.Struct({ id: Schema.String, email: Schema.optional(Schema.String) }))),
    assigneeId: Schema.optional(Schema.NullOr(Schema.String))
  })
})
type Issue = typeof IssueUpdate.Type["data"]

const projectOf = (connection: Connection, issue: Issue) => {
  const byProject = issue.projectId ? connection.config.projects?.[issue.projectId] : undefined
  const team = issue.identifier.split("-")[0]!
  const projectId = byProject ?? connection.config.teams?.[team]
  return projectId === undefined
    ? Effect.fail(new InboundSkipped({ message: `Neither team ${team} nor the issue's project is mapped to a project` }))
    : Effect.succeed(projectId)
}

/** The task `ENG-123 Title` on the project, created the first time. */
const taskOf = (member: ActingMember, projectId: ProjectId, name: string) =>
  Effect.gen(function*() {
    const tasks = yield* member.run("tasks", "list", { urlParams: { projectId, status: "all" } })
    const found = tasks.find((task) => task.name === name)
    if (found !== undefined) return found
    return yield* member.run("tasks", "create", { payload: { projectId, name: name as never } })
  })

/**
 * Linear: an issue moved to a started state starts its assignee's timer on the mapped project (on the task
 * named after the issue); moved to completed or canceled, the timer stops and the task completes.
 */
export const LinearPlugin = pluginLayer(Effect.gen(function*() {
  const apiUrl = yield* Effect.orDie(LinearApiUrl)

  /**
   * One comment, with an id of our own made from the connection and the issue (Linear's idempotency key): when a
   * crash made `once` run it again, Linear refuses the id, and the comment found under it counts as posted.
   */
  const comment = (connection: Connection, issueId: string, body: string): Effect.Effect<void, InboundSkipped | DeliveryFailed> => {
    if (connection.secrets.apiKey === undefined) {
      return Effect.fail(new InboundSkipped({ message: "No apiKey in this connection's secrets: cannot comment on Linear" }))
    }
    const client = new LinearClient({ apiKey: Redacted.value(connection.secrets.apiKey), apiUrl })
    const id = uuidOf(`${connection.id} comment ${issueId}`)
    const posted = Effect.tryPromise(() =>
      client.client.request<{ comment?: { id?: string } | null }, { id: string }>("query ClockMeComment($id: String!) { comment(id: $id) { id } }", { id })
    ).pipe(Effect.map((found) => found.comment?.id === id), Effect.orElseSucceed(() => false))
    return Effect.tryPromise({
      try: () => client.createComment({ id, issueId, body }),
      catch: (error) => {
        // RatelimitedLinearError carries Linear's Retry-After, in seconds
        const retryAfter = (error as { retryAfter?: number }).retryAfter
        return new DeliveryFailed({
          message: `Linear commentCreate failed: ${String(error).slice(0, 300)}`,
          status: (error as { status?: number }).status,
          retryAfter: retryAfter === undefined || !(retryAfter > 0) ? undefined : Duration.seconds(retryAfter)
        })
      }
    }).pipe(
      Effect.catchAll((failed) =>
        failed.retryAfter !== undefined ? Effect.fail(failed) : Effect.flatMap(posted, (done) => done ? Effect.void : Effect.fail(failed))
      ),
      Effect.asVoid
    )
  }

  const handle = (request: InboundRequest, connection: Connection, context: InboundContext) =>
    Effect.gen(function*() {
      const event = yield* Schema.decodeUnknown(Schema.parseJson(IssueUpdate))(new TextDecoder().decode(request.rawBody)).pipe(
        Effect.mapError(() => new InboundSkipped({ message: "Not an issue event" }))
      )
      const state = event.data.state.type
      if (event.type !== "Issue" || event.action !== "update" || event.updatedFrom?.stateId === undefined) {
        return { status: 200, body: { ignored: "not an issue state change" } }
      }
      if (!["started", "completed", "canceled"].includes(state)) return { status: 200, body: { ignored: `state ${state}` } }
      const assignee = event.data.assignee?.id ?? event.data.assigneeId
      if (assignee === undefined || assignee === null) return yield* new InboundSkipped({ message: "The issue has no assignee" })
      const projectId = yield* projectOf(connection, event.data)
      const member = yield* context.actAs(assignee, { email: event.data.assignee?.email, label: "Linear user" })
      const task = yield* taskOf(member, projectId, `${event.data.identifier} ${event.data.title}`.slice(0, 200))
      if (state === "started") {
        const timer = yield* member.run("timer", "start", {
          payload: { projectId, taskId: task.id, description: event.data.identifier as never },
          headers: {}
        })
        return { status: 200, body: { timerId: timer.id, mappedBy: member.mappedBy } }
      }
      const stopped = yield* member.run("timer", "stop", { payload: { projectId }, headers: {} }).pipe(
        Effect.map((result) => "durationSeconds" in result ? result.durationSeconds : 0),
        Effect.catchTag("TimerNotRunning", () => Effect.succeed(0))
      )
      if (task.status !== "complete") yield* member.run("tasks", "complete", { path: { id: task.id } })
      if (connection.config.commentOnComplete === true) {
        const text = `⏱ ${formatMinutes(Math.round(stopped / 60))} tracked on ${event.data.identifier} (ClockMe)`
        yield* context.once(`completed:${event.data.id}`, comment(connection, event.data.id, text))
      }
      return { status: 200, body: { stoppedSeconds: stopped, mappedBy: member.mappedBy } }
    })

  return {
    id: "linear",
    version: "1.0.0",
    title: "Linear",
    description: "Issues moved to In Progress start the assignee's timer; Done or Canceled stops it",
    config: Settings,
    secrets: Secrets,
    inbound: [{
      route: "webhook",
      verify: (request: InboundRequest, connection: Connection) =>
        Effect.gen(function*() {
          const signed = yield* Effect.try({
            try: () =>
              new LinearWebhookClient(Redacted.value(connection.secrets.webhookSecret)).verify(
                Buffer.from(request.rawBody),
                request.headers["linear-signature"] ?? ""
              ),
            catch: (error) => String(error)
          }).pipe(
            // the client checks the signature first, then webhookTimestamp against Date.now(): a timestamp
            // complaint means the signature matched, and the window is judged below on Effect's Clock instead
            Effect.catchAll((error) => Effect.succeed(/timestamp/i.test(error)))
          )
          if (!signed) return yield* new InboundRejected({ message: "Linear-Signature does not match the body" })
          const sent = timestampOf(request.rawBody)
          const now = yield* Clock.currentTimeMillis
          if (sent === undefined || Math.abs(now - sent) > MAX_SKEW_MS) {
            return yield* new InboundRejected({ message: "webhookTimestamp is missing or more than 60 s off" })
          }
        }),
      deliveryId: (request: InboundRequest) => request.headers["linear-delivery"],
      handle
    }]
  }
}))
