import type { DomainEvent } from "@clockme/domain/contract/Events"
import type { ActingMember, ConnectionOf, InboundContext, InboundRequest } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import type { Logger } from "@slack/web-api"
import { WebClient } from "@slack/web-api"
import { createHash } from "node:crypto"
import { Clock, Config, DateTime, Duration, Effect, Redacted, Schema } from "effect"
import { formatMinutes } from "../github/Duration.js"
import { Outbound } from "../Outbound.js"
import { hmacSha256HexMatches } from "../Signature.js"

const Settings = Schema.Struct({
  alertChannel: Schema.optional(Schema.String.annotations({ description: "Where budget and 12-hour timer alerts go (with botToken)" }))
})
const Secrets = Schema.Struct({
  signingSecret: Schema.Redacted(Schema.String),
  botToken: Schema.optional(Schema.Redacted(Schema.String)),
  incomingWebhookUrl: Schema.optional(Schema.Redacted(Schema.String))
})
type Connection = ConnectionOf<typeof Settings.Type, typeof Secrets.Type>

/** The operator's Slack Web API (a proxy, a test's stand-in); trusted, unlike URLs users give. */
export const SlackApiUrl = Config.string("CLOCKME_SLACK_API_URL").pipe(Config.withDefault("https://slack.com/api/"))

/** Slack refuses requests older than this, and so do we: a captured request cannot be replayed later. */
const MAX_AGE_SECONDS = 300

const silent: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => "error" as never,
  setName: () => {}
}

const HELP = "Use /clockme start <project> [description], stop [project], pause, resume, status, today or week"

const DAY = 86_400_000

/** The calendar day of `millis` in `timeZone`, as YYYY-MM-DD. */
const dayIn = (millis: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(millis)

/** Today, or the days of this week so far (the week starting on `weekStart`), in the user's timezone. */
export const period = (now: number, timeZone: string, weekStart: string, span: "today" | "week") => {
  const to = dayIn(now, timeZone)
  if (span === "today") return { from: to, to }
  const weekday = new Date(`${to}T00:00:00Z`).getUTCDay()
  const first = weekStart === "sunday" ? 0 : weekStart === "saturday" ? 6 : 1
  const back = (weekday - first + 7) % 7
  return { from: new Date(Date.parse(`${to}T00:00:00Z`) - back * DAY).toISOString().slice(0, 10), to }
}

/** The hours the member logged in a period, page after page of their entries. */
const logged = (member: ActingMember, span: "today" | "week") =>
  Effect.gen(function*() {
    const me = yield* member.run("me", "get", {})
    const { from, to } = period(yield* Clock.currentTimeMillis, me.user.timezone, me.user.weekStart, span)
    let total = 0
    let cursor: string | undefined
    do {
      const page = yield* member.run("entries", "list", {
        urlParams: { from: from as never, to: to as never, limit: 500, ...(cursor === undefined ? {} : { cursor }) }
      })
      total += page.entries.reduce((sum, entry) => sum + entry.durationSeconds, 0)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    return `${span === "today" ? "Today" : "This week"}: ${seconds(total)} logged`
  })

const seconds = (total: number) => formatMinutes(Math.floor(total / 60))

/** One slash command, run as the member the Slack user maps to; the answer goes to Slack's response_url. */
const command = (text: string, member: ActingMember) =>
  Effect.gen(function*() {
    const [verb = "", ...rest] = text.trim().split(/\s+/)
    switch (verb.toLowerCase()) {
      case "start": {
        const [project, ...words] = rest
        if (project === undefined) return `Which project? ${HELP}`
        const description = words.join(" ")
        const started = yield* member.run("timer", "start", {
          payload: { projectName: project as never, ...(description === "" ? {} : { description: description as never }) },
          headers: {}
        })
        return started.alreadyRunning
          ? `Your timer on ${started.projectName} was already running (${seconds(started.elapsedSeconds)})`
          : `Started your timer on ${started.projectName}`
      }
      case "stop": {
        const stopped = yield* member.run("timer", "stop", {
          payload: rest[0] === undefined ? {} : { projectName: rest[0] as never },
          headers: {}
        })
        return "durationSeconds" in stopped
          ? `Stopped: ${seconds(stopped.durationSeconds)} logged`
          : stopped.message
      }
      case "pause":
      case "resume": {
        const timer = yield* member.run("timer", verb.toLowerCase() as "pause", { payload: {}, headers: {} })
        return `${verb.toLowerCase() === "pause" ? "Paused" : "Resumed"} your timer on ${timer.projectName}`
      }
      case "status": {
        const current = yield* member.run("timer", "current", {})
        return current.timers.length === 0
          ? "No timer is running"
          : current.timers.map((t) => `${t.projectName}: ${t.state}, ${seconds(t.elapsedSeconds)}`).join("\n")
      }
      case "today":
      case "week":
        return yield* logged(member, verb.toLowerCase() as "today" | "week")
      default:
        return HELP
    }
  })

const alertText = (event: DomainEvent) => {
  switch (event._tag) {
    case "BudgetThresholdCrossed":
      return `Project ${event.projectName}: ${event.threshold}% of its budget used (${event.hoursUsed.toFixed(2)} h` +
        `${event.hoursLimit === null ? "" : ` of ${event.hoursLimit} h`})`
    case "TimerRunningLong":
      return `A timer on ${event.timer.projectName}${event.timer.description === null ? "" : ` (${event.timer.description})`} ` +
        `has run for ${seconds(event.timer.elapsedSeconds)} since ${DateTime.formatIso(event.timer.startedAt)}: forgotten?`
    default:
      return event._tag
  }
}

/**
 * Slack: the /clockme slash command acts as the mapped Slack user (matched by the email users.info gives,
 * with a bot token), answered at once and then through response_url; budget threshold crossings and timers
 * running 12 hours are posted once each, with chat.postMessage or to an incoming webhook.
 */
export const SlackPlugin = pluginLayer(Effect.gen(function*() {
  const outbound = yield* Outbound
  const slackApiUrl = (yield* Effect.orDie(SlackApiUrl)).replace(/\/*$/, "/")
  const client = (token: Redacted.Redacted<string>) =>
    new WebClient(Redacted.value(token), { slackApiUrl, logger: silent, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } })

  const emailOf = (connection: Connection, user: string) =>
    connection.secrets.botToken === undefined
      ? Effect.succeed(undefined)
      : Effect.tryPromise(() => client(connection.secrets.botToken!).users.info({ user })).pipe(
        Effect.map((answer) => answer.user?.profile?.email),
        Effect.mapError((error) => new DeliveryFailed({ message: `Slack users.info failed: ${String(error)}` }))
      )

  const respond = (url: string, text: string) =>
    outbound.post(url, JSON.stringify({ response_type: "ephemeral", text }), { "content-type": "application/json" }, Duration.seconds(10)).pipe(
      Effect.mapError((error) => new DeliveryFailed({ message: `response_url: ${error.message}` })),
      Effect.flatMap((result) =>
        result.status >= 300
          ? Effect.fail(new DeliveryFailed({ message: `response_url answered ${result.status}`, status: result.status, retryAfter: result.retryAfter }))
          : Effect.void
      )
    )

  const handleCommand = (request: InboundRequest, connection: Connection, context: InboundContext) =>
    Effect.gen(function*() {
      const form = new URLSearchParams(new TextDecoder().decode(request.rawBody))
      const user = form.get("user_id") ?? ""
      const responseUrl = form.get("response_url")
      const email = yield* emailOf(connection, user)
      const reply = (text: string) => responseUrl === null ? Effect.void : respond(responseUrl, text)
      // an unmapped user is told why, and the delivery is logged as skipped
      const member = yield* context.actAs(user, { email, label: "Slack user" }).pipe(
        Effect.tapError((skipped) => reply(skipped.message))
      )
      const answer = yield* command(form.get("text") ?? "", member).pipe(
        Effect.catchAll((refusal) => Effect.succeed(`Not done: ${refusal.message}`))
      )
      yield* reply(answer)
      return { status: 200, body: { answer, mappedBy: member.mappedBy } }
    })

  const postAlert = (event: DomainEvent, connection: Connection) =>
    Effect.gen(function*() {
      const text = alertText(event)
      if (connection.secrets.botToken !== undefined && connection.config.alertChannel !== undefined) {
        yield* Effect.tryPromise({
          try: () => client(connection.secrets.botToken!).chat.postMessage({ channel: connection.config.alertChannel!, text }),
          catch: (error) => {
            const retryAfter = (error as { retryAfter?: number }).retryAfter
            return new DeliveryFailed({
              message: `Slack chat.postMessage failed: ${String(error)}`,
              ...(retryAfter === undefined ? {} : { status: 429, retryAfter: Duration.seconds(retryAfter) })
            })
          }
        })
        return { status: 200, response: "chat.postMessage" }
      }
      if (connection.secrets.incomingWebhookUrl !== undefined) {
        const url = Redacted.value(connection.secrets.incomingWebhookUrl)
        const result = yield* outbound.post(url, JSON.stringify({ text }), { "content-type": "application/json" }, Duration.seconds(10)).pipe(
          Effect.mapError((error) => new DeliveryFailed({ message: error.message }))
        )
        if (result.status >= 300) {
          return yield* new DeliveryFailed({ message: `Answered ${result.status}`, status: result.status, retryAfter: result.retryAfter })
        }
        return { status: result.status, response: "incoming webhook" }
      }
      return { response: "No alert target: set alertChannel with a botToken, or an incomingWebhookUrl" }
    })

  return {
    id: "slack",
    version: "1.0.0",
    title: "Slack",
    description: "The /clockme slash command; budget alerts and timers running 12 hours posted to a channel",
    config: Settings,
    secrets: Secrets,
    outbound: { events: ["BudgetThresholdCrossed", "TimerRunningLong"] as const, handle: postAlert },
    inbound: [{
      route: "commands",
      verify: (request: InboundRequest, connection: Connection) =>
        Effect.gen(function*() {
          const timestamp = request.headers["x-slack-request-timestamp"] ?? ""
          const signature = request.headers["x-slack-signature"] ?? ""
          const now = DateTime.toEpochMillis(yield* DateTime.now) / 1000
          if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > MAX_AGE_SECONDS) {
            return yield* new InboundRejected({ message: `X-Slack-Request-Timestamp is missing or more than ${MAX_AGE_SECONDS} s off` })
          }
          const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`), request.rawBody])
          const valid = signature.startsWith("v0=") &&
            hmacSha256HexMatches(Redacted.value(connection.secrets.signingSecret), base, signature.slice(3))
          if (!valid) return yield* new InboundRejected({ message: "X-Slack-Signature does not match the request" })
        }),
      // Slack sends no delivery id: a retry repeats the timestamp and the body
      deliveryId: (request: InboundRequest) =>
        `${request.headers["x-slack-request-timestamp"]}:${createHash("sha256").update(request.rawBody).digest("hex")}`,
      accepted: () => ({ status: 200, body: { response_type: "ephemeral", text: "On it…" } }),
      handle: handleCommand
    }]
  }
}))
