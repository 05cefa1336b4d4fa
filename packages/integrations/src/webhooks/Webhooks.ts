import type { DomainEvent } from "@clockme/domain/contract/Events"
import { Event, eventTypes, toEvent } from "@clockme/domain/contract/Events"
import type { ConnectionId, DeliveryId, DeliveryQuery } from "@clockme/domain/contract/Integration"
import { DeliveryNotFound } from "@clockme/domain/contract/Integration"
import type { ConnectionOf } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, DeliveryRejected, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import type { CreateWebhook, RotateSecret, UpdateWebhook } from "@clockme/domain/contract/Webhook"
import { WebhookEndpoint, WebhookWithSecret } from "@clockme/domain/contract/Webhook"
import type { ConnectionRow } from "@clockme/domain/repos/IntegrationsRepo"
import { IntegrationsRepo } from "@clockme/domain/repos/IntegrationsRepo"
import { Connections, wireEvents } from "@clockme/domain/services/Connections"
import { Idempotency } from "@clockme/domain/services/Idempotency"
import { SecretBox } from "@clockme/domain/services/SecretBox"
import { randomBytes, randomUUID } from "node:crypto"
import { Cause, Clock, DateTime, Duration, Effect, Option, Redacted, Schema } from "effect"
import { Webhook } from "standardwebhooks"
import { Outbound } from "../Outbound.js"

export const WEBHOOKS = "webhooks"

const Config = Schema.Struct({ url: Schema.String })
const Secrets = Schema.Struct({
  secret: Schema.Redacted(Schema.String),
  previous: Schema.optional(Schema.Redacted(Schema.String)),
  previousUntil: Schema.optional(Schema.NumberFromString)
})
type Secrets = typeof Secrets.Type

export const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`

const encodeEvent = Schema.encode(Event)

/** A Standard Webhooks body: the event's envelope (contract/Events.ts) plus `timestamp`, which is `occurredAt`. */
const standardBody = (
  envelope: { readonly id: string; readonly type: string; readonly occurredAt: string; readonly workspaceId: string },
  data: unknown
) =>
  JSON.stringify({
    id: envelope.id,
    type: envelope.type,
    timestamp: envelope.occurredAt,
    occurredAt: envelope.occurredAt,
    workspaceId: envelope.workspaceId,
    data
  })

export const webhookBody = (event: DomainEvent) =>
  Effect.map(encodeEvent(toEvent(event)).pipe(Effect.orDie), (wire) => standardBody(wire, wire.data))

/** `v1,<sig>` for the current secret, and for the previous one while it is in its grace period. */
export const signatures = (secrets: Secrets, id: string, at: Date, body: string) => {
  const keys = [secrets.secret]
  if (secrets.previous !== undefined && (secrets.previousUntil ?? 0) > at.getTime()) keys.push(secrets.previous)
  return keys.map((key) => new Webhook(Redacted.value(key)).sign(id, at, body)).join(" ")
}

const TIMEOUT = Duration.seconds(10)

/** Signs and POSTs one body; 2xx acknowledges, 410 disables the endpoint, anything else is retried. */
const deliver = (outbound: Outbound, secrets: Secrets, url: string, messageId: string, body: string) =>
  Effect.gen(function*() {
    const at = new Date(yield* Clock.currentTimeMillis)
    const headers = {
      "webhook-id": messageId,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signatures(secrets, messageId, at, body)
    }
    const result = yield* outbound.post(url, body, headers, TIMEOUT).pipe(
      Effect.mapError((error) => new DeliveryFailed({ message: error.message }))
    )
    if (result.status >= 200 && result.status < 300) return { status: result.status, response: result.body }
    if (result.status === 410) {
      return yield* new DeliveryRejected({
        action: "disable",
        status: 410,
        response: result.body,
        message: `The endpoint answered 410 Gone, so it was disabled`
      })
    }
    return yield* new DeliveryFailed({
      status: result.status,
      response: result.body,
      retryAfter: result.retryAfter,
      message: result.status >= 300 && result.status < 400
        ? `The endpoint answered ${result.status} (redirects are not followed)`
        : `The endpoint answered ${result.status}`
    })
  }).pipe(Effect.withSpan("Webhooks.deliver"))

/** Generic signed webhooks (Standard Webhooks) for every domain event. */
export const WebhooksPlugin = pluginLayer(Effect.gen(function*() {
  const outbound = yield* Outbound
  return {
    id: WEBHOOKS,
    version: "1.0.0",
    title: "Webhooks",
    description: "Signed HTTP POSTs (Standard Webhooks) of the events you choose to a URL of yours",
    config: Config,
    secrets: Secrets,
    managed: true,
    outbound: {
      events: eventTypes,
      handle: (event: DomainEvent, connection: ConnectionOf<typeof Config.Type, Secrets>) =>
        Effect.flatMap(
          webhookBody(event),
          (body) => deliver(outbound, connection.secrets, connection.config.url, event.id, body)
        )
    }
  }
}))

/** What an idempotent create keeps as its answer: the endpoint, and the secret sealed. */
const KeptCreation = Schema.Struct({ endpoint: WebhookEndpoint, sealedSecret: Schema.String })
const keptSecretBinding = (endpointId: string) => `webhooks.create:${endpointId}`

const endpointOf = (row: ConnectionRow, previousUntil: number | undefined) =>
  new WebhookEndpoint({
    id: row.id,
    url: String((row.config as { url?: unknown }).url),
    events: wireEvents(row.events),
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    secretFingerprint: row.secretFingerprint,
    previousSecretValidUntil: previousUntil === undefined ? null : DateTime.unsafeMake(previousUntil),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  })

/** The webhook subscriptions API: connections of the webhooks plugin with their own shape. */
export class Webhooks extends Effect.Service<Webhooks>()("@clockme/integrations/Webhooks", {
  effect: Effect.gen(function*() {
    const connections = yield* Connections
    const repo = yield* IntegrationsRepo
    const outbound = yield* Outbound
    const idempotency = yield* Idempotency
    const box = yield* SecretBox

    const resolved = (row: ConnectionRow) =>
      Effect.flatMap(connections.plugin(WEBHOOKS), (p) => connections.resolve(p, row)) as Effect.Effect<
        ConnectionOf<typeof Config.Type, Secrets>,
        never
      >

    const present = (row: ConnectionRow) =>
      Effect.map(resolved(row), (c) => {
        const until = c.secrets.previousUntil
        return endpointOf(row, until !== undefined && c.secrets.previous !== undefined ? until : undefined)
      })

    const create = Effect.fn("Webhooks.create")(function*(input: CreateWebhook) {
      const secret = newSecret()
      const created = yield* connections.connect(WEBHOOKS, {
        config: { url: input.url },
        secrets: { secret },
        events: input.events,
        description: input.description ?? null
      })
      const row = yield* connections.find(WEBHOOKS, created.id)
      return new WebhookWithSecret({ endpoint: yield* present(row), secret })
    })

    /**
     * Create with an Idempotency-Key: a retry or a racing twin gets the first answer, secret included. The
     * kept answer holds the secret sealed under CLOCKME_SECRET_KEY, bound to the endpoint, never in plaintext.
     */
    const createOnce = Effect.fn("Webhooks.createOnce")(function*(key: string | undefined, input: CreateWebhook) {
      if (key === undefined) return yield* create(input)
      const kept = yield* idempotency.once(
        key,
        "webhooks.create",
        KeptCreation,
        Effect.flatMap(create(input), (created) =>
          Effect.map(
            box.seal(created.secret, keptSecretBinding(created.endpoint.id)),
            (sealedSecret) => ({ endpoint: created.endpoint, sealedSecret })
          ))
      )
      const secret = yield* box.open(kept.sealedSecret, keptSecretBinding(kept.endpoint.id))
      return new WebhookWithSecret({ endpoint: kept.endpoint, secret })
    })

    const list = Effect.gen(function*() {
      const rows = yield* connections.listOf(WEBHOOKS)
      return yield* Effect.forEach(rows, present)
    }).pipe(Effect.withSpan("Webhooks.list"))

    const get = Effect.fn("Webhooks.get")(function*(id: ConnectionId) {
      return yield* present(yield* connections.get(WEBHOOKS, id))
    })

    const update = Effect.fn("Webhooks.update")(function*(id: ConnectionId, input: UpdateWebhook) {
      yield* connections.update(WEBHOOKS, id, {
        config: input.url === undefined ? undefined : { url: input.url },
        events: input.events,
        description: input.description,
        enabled: input.enabled
      })
      return yield* present(yield* connections.find(WEBHOOKS, id))
    })

    const rotate = Effect.fn("Webhooks.rotate")(function*(id: ConnectionId, input: RotateSecret) {
      const row = yield* connections.get(WEBHOOKS, id)
      const current = yield* resolved(row)
      const now = yield* Clock.currentTimeMillis
      const grace = Duration.hours(input?.graceHours ?? 24)
      const secret = newSecret()
      yield* connections.update(WEBHOOKS, id, {
        secrets: {
          secret,
          previous: Redacted.value(current.secrets.secret),
          previousUntil: String(now + Duration.toMillis(grace))
        }
      })
      return new WebhookWithSecret({ endpoint: yield* present(yield* connections.find(WEBHOOKS, id)), secret })
    })

    const remove = Effect.fn("Webhooks.remove")(function*(id: ConnectionId) {
      const row = yield* connections.get(WEBHOOKS, id)
      const endpoint = yield* present(row)
      yield* connections.disconnect(WEBHOOKS, id)
      return endpoint
    })

    /** Sends a `webhook.test` message now and records it in the delivery log. */
    const test = Effect.fn("Webhooks.test")(function*(id: ConnectionId) {
      const row = yield* connections.get(WEBHOOKS, id)
      const c = yield* resolved(row)
      const messageId = randomUUID()
      const now = DateTime.formatIso(yield* DateTime.now)
      const envelope = { id: messageId, type: "webhook.test", occurredAt: now, workspaceId: row.workspaceId }
      const body = standardBody(envelope, { endpointId: id })
      const started = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(deliver(outbound, c.secrets, c.config.url, messageId, body))
      const ended = yield* Clock.currentTimeMillis
      const failure = exit._tag === "Failure" ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      const deliveryId = yield* repo.recordOneOff({
        connectionId: id,
        workspaceId: row.workspaceId,
        eventId: messageId,
        eventType: "webhook.test",
        delivered: exit._tag === "Success",
        now: new Date(ended),
        attempt: {
          startedAt: new Date(started),
          durationMs: ended - started,
          status: exit._tag === "Success" ? exit.value.status : failure?.status ?? null,
          outcome: exit._tag === "Success" ? "success" : "failure",
          error: failure?.message ?? (exit._tag === "Failure" ? "failed" : null),
          response: exit._tag === "Success" ? exit.value.response : failure?.response ?? null
        }
      })
      return yield* Effect.map(repo.findDelivery(id, deliveryId), Option.getOrThrow)
    })

    const deliveries = Effect.fn("Webhooks.deliveries")(function*(id: ConnectionId, query: DeliveryQuery) {
      yield* connections.get(WEBHOOKS, id)
      return yield* repo.listDeliveries(id, { state: query.state, limit: query.limit ?? 50 })
    })

    const retry = Effect.fn("Webhooks.retry")(function*(id: ConnectionId, deliveryId: DeliveryId) {
      yield* connections.get(WEBHOOKS, id)
      const found = yield* repo.findDelivery(id, deliveryId)
      if (Option.isNone(found)) {
        return yield* new DeliveryNotFound({ deliveryId, message: `Delivery ${deliveryId} not found for webhook ${id}` })
      }
      if (found.value.eventType === "webhook.test") return yield* test(id)
      yield* repo.requeue(id, deliveryId, DateTime.toDate(yield* DateTime.now))
      return yield* Effect.map(repo.findDelivery(id, deliveryId), Option.getOrThrow)
    })

    return { create, createOnce, list, get, update, rotate, remove, test, deliveries, retry } as const
  }),
  dependencies: [IntegrationsRepo.Default, SecretBox.Default]
}) {}
