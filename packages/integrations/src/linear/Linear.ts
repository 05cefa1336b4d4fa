import { ProjectId } from "@clockme/domain/contract/Ids"
import type { ActingMember, ConnectionOf, InboundContext, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, InboundSkipped, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { LinearClient } from "@linear/sdk"
import { LinearWebhookClient } from "@linear/sdk/webhooks"
import { Config, Duration, Effect, Redacted, Schema } from "effect"
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

  const comment = (connection: Connection, issueId: string, body: string): Effect.Effect<void, InboundSkipped | DeliveryFailed> =>
    connection.secrets.apiKey === undefined
      ? Effect.fail(new InboundSkipped({ message: "No apiKey in this connection's secrets: cannot comment on Linear" }))
      : Effect.tryPromise({
        try: () => new LinearClient({ apiKey: Redacted.value(connection.secrets.apiKey!), apiUrl }).createComment({ issueId, body }),
        catch: (error) => {
          // RatelimitedLinearError carries Linear's Retry-After, in seconds
          const retryAfter = (error as { retryAfter?: number }).retryAfter
          return new DeliveryFailed({
            message: `Linear commentCreate failed: ${String(error).slice(0, 300)}`,
            status: (error as { status?: number }).status,
            retryAfter: retryAfter === undefined || !(retryAfter > 0) ? undefined : Duration.seconds(retryAfter)
          })
        }
      }).pipe(Effect.asVoid)

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
        Effect.try(() =>
          new LinearWebhookClient(Redacted.value(connection.secrets.webhookSecret)).verify(
            Buffer.from(request.rawBody),
            request.headers["linear-signature"] ?? ""
          )
        ).pipe(
          Effect.mapError(() =>
            new InboundRejected({ message: "Linear-Signature does not match the body, or webhookTimestamp is over 60 s off" })
          ),
          Effect.asVoid
        ),
      deliveryId: (request: InboundRequest) => request.headers["linear-delivery"],
      handle
    }]
  }
}))
