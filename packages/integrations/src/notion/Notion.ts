import type { Entry } from "@clockme/domain/contract/Entry"
import type { DomainEvent } from "@clockme/domain/contract/Events"
import type { ConnectionOf, InboundContext, InboundRequest, OutboundContext } from "@clockme/domain/contract/ports/Integration"
import { DeliveryFailed, InboundRejected, InboundSkipped, pluginLayer } from "@clockme/domain/contract/ports/Integration"
import { Client, isHTTPResponseError, LogLevel } from "@notionhq/client"
import { Config, DateTime, Duration, Effect, Option, Redacted, Schema } from "effect"
import { hmacSha256HexMatches } from "../Signature.js"

/** The API version every call names; 2025-09-03 puts pages in data sources and trashes with `in_trash`. */
export const NOTION_VERSION = "2025-09-03"

/** The operator's Notion API (a proxy, a test's stand-in); trusted. */
export const NotionApiUrl = Config.string("CLOCKME_NOTION_API_URL").pipe(Config.withDefault("https://api.notion.com"))

const Settings = Schema.Struct({
  dataSourceId: Schema.NonEmptyTrimmedString.annotations({
    description: "The data source (a database's table) each entry becomes a page of",
    message: () => "must be the id of a Notion data source, not empty"
  })
})
const Secrets = Schema.Struct({
  token: Schema.Redacted(Schema.String),
  verificationToken: Schema.optional(Schema.Redacted(Schema.String)).annotations({
    description: "Stored by the server from Notion's one-time handshake; replacing the secrets without it allows a new one"
  })
})
type Connection = ConnectionOf<typeof Settings.Type, typeof Secrets.Type>

const Handshake = Schema.parseJson(Schema.Struct({ verification_token: Schema.NonEmptyString }))
const NotionEvent = Schema.parseJson(Schema.Struct({ id: Schema.NonEmptyString, type: Schema.String }))

const decodeText = (body: Uint8Array) => new TextDecoder().decode(body)
const handshakeOf = (body: Uint8Array) => Option.getOrUndefined(Schema.decodeUnknownOption(Handshake)(decodeText(body)))
const eventOf = (body: Uint8Array) => Option.getOrUndefined(Schema.decodeUnknownOption(NotionEvent)(decodeText(body)))

/**
 * Before the handshake, only the handshake itself is accepted (Notion signs nothing until it has a token);
 * after it, every request must carry `X-Notion-Signature: sha256=<hex>`, the HMAC of the body under that token.
 */
const verify = (request: InboundRequest, connection: Connection) => {
  const token = connection.secrets.verificationToken
  if (token === undefined) {
    return handshakeOf(request.rawBody) === undefined
      ? Effect.fail(new InboundRejected({ message: "This connection has no verification token yet: only Notion's handshake is accepted" }))
      : Effect.void
  }
  const signature = request.headers["x-notion-signature"] ?? ""
  return signature.startsWith("sha256=") && hmacSha256HexMatches(Redacted.value(token), request.rawBody, signature.slice(7))
    ? Effect.void
    : Effect.fail(new InboundRejected({ message: "X-Notion-Signature does not match the body" }))
}

const handle = (request: InboundRequest, connection: Connection, context: InboundContext<typeof Secrets.Type>) =>
  Effect.gen(function*() {
    // the handshake's body is dropped once its token is sealed: a retry after that finds nothing left to do
    if (request.rawBody.length === 0) return { status: 200, body: { ignored: "no body (a handshake's goes once its token is stored)" } }
    const handshake = handshakeOf(request.rawBody)
    if (handshake !== undefined) {
      if (connection.secrets.verificationToken !== undefined) {
        return yield* new InboundSkipped({
          message: "This connection is verified already; replace its secrets (without verificationToken) to take a new handshake"
        })
      }
      // merged into the secrets as they are now: an owner's new token saved meanwhile stays
      yield* context.updateSecrets((current) => ({ ...current, verificationToken: Redacted.make(handshake.verification_token) }))
      return { status: 200, body: { verified: true } }
    }
    // events are signals (Notion says to fetch the page again): acknowledged and kept in the delivery log
    const event = eventOf(request.rawBody)
    return { status: 200, body: { received: event?.type ?? "unknown" } }
  })

const hours = (entry: Entry) => Math.round(entry.durationSeconds / 36) / 100

/** The text property holding the entry's id: Notion takes no idempotency key, so a retry looks the page up by it. */
export const ENTRY_ID = "ClockMe ID"

/** The page's properties: the columns a ClockMe time log in Notion has. */
const properties = (entry: Entry, project: string) => ({
  Name: { title: [{ text: { content: (entry.description ?? project).slice(0, 2000) } }] },
  Date: { date: { start: DateTime.formatIso(entry.startTime), end: DateTime.formatIso(entry.endTime) } },
  Hours: { number: hours(entry) },
  Project: { select: { name: project.replaceAll(",", " ").slice(0, 100) } },
  Billable: { checkbox: entry.billable },
  [ENTRY_ID]: { rich_text: [{ text: { content: entry.id } }] }
})

/** A failed call, for the delivery queue: 429 and 5xx carry Notion's Retry-After, which the backoff honours. */
const failure = (what: string) => (error: unknown) => {
  if (!isHTTPResponseError(error)) return new DeliveryFailed({ message: `Notion ${what} failed: ${String(error).slice(0, 300)}` })
  const header = (error.headers as { get?: (name: string) => string | null }).get?.("retry-after") ?? null
  const seconds = header === null ? Number.NaN : Number(header)
  return new DeliveryFailed({
    message: `Notion ${what} answered ${error.status}: ${error.message.slice(0, 300)}`,
    status: error.status,
    response: error.body.slice(0, 2000),
    retryAfter: Number.isFinite(seconds) && seconds > 0 ? Duration.seconds(seconds) : undefined
  })
}

/**
 * Notion: each entry becomes a page of the connection's data source (POST /v1/pages), edits patch it and a
 * deletion moves it to the trash; the page id is kept per (connection, entry). Inbound, the one-time
 * verification handshake is stored as a sealed secret, and later events are checked against it.
 */
export const NotionPlugin = pluginLayer(Effect.gen(function*() {
  const baseUrl = (yield* Effect.orDie(NotionApiUrl)).replace(/\/+$/, "")
  // retries are the delivery queue's: a process that dies mid-wait loses nothing, and Retry-After is kept
  const client = (connection: Connection) =>
    new Client({
      auth: Redacted.value(connection.secrets.token),
      baseUrl,
      notionVersion: NOTION_VERSION,
      retry: false,
      timeoutMs: 20_000,
      logLevel: LogLevel.ERROR,
      logger: () => {}
    })

  const call = <A>(what: string, run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: failure(what) })

  const write = (entry: Entry, connection: Connection, context: OutboundContext) =>
    Effect.gen(function*() {
      const project = (yield* context.projectName(entry.projectId)) ?? entry.projectId
      const props = properties(entry, project)
      const pageId = yield* context.externalIds.find(entry.id)
      if (pageId !== undefined) {
        yield* call("PATCH /v1/pages", () => client(connection).pages.update({ page_id: pageId, properties: props }))
        return { status: 200, response: `page ${pageId} updated` }
      }
      // a page made by an attempt whose answer or record was lost is adopted, not made twice
      const found = yield* call("POST /v1/data_sources/query", () =>
        client(connection).dataSources.query({
          data_source_id: connection.config.dataSourceId,
          filter: { property: ENTRY_ID, rich_text: { equals: entry.id } },
          page_size: 1
        }))
      const adopted = found.results[0]?.id
      if (adopted !== undefined) {
        yield* call("PATCH /v1/pages", () => client(connection).pages.update({ page_id: adopted, properties: props }))
        yield* context.externalIds.save(entry.id, adopted)
        return { status: 200, response: `page ${adopted} found by its ${ENTRY_ID} and updated` }
      }
      const page = yield* call("POST /v1/pages", () =>
        client(connection).pages.create({
          parent: { type: "data_source_id", data_source_id: connection.config.dataSourceId },
          properties: props
        }))
      yield* context.externalIds.save(entry.id, page.id)
      return { status: 200, response: `page ${page.id} created` }
    })

  const trash = (entry: Entry, connection: Connection, context: OutboundContext) =>
    Effect.gen(function*() {
      const pageId = yield* context.externalIds.find(entry.id)
      if (pageId === undefined) return { response: "No page was made for this entry" }
      yield* call("PATCH /v1/pages", () => client(connection).pages.update({ page_id: pageId, in_trash: true })).pipe(
        // a page someone deleted in Notion already is where it should be
        Effect.catchIf((error) => error.status === 404, () => Effect.void)
      )
      yield* context.externalIds.remove(entry.id)
      return { status: 200, response: `page ${pageId} moved to the trash` }
    })

  const send = (event: DomainEvent, connection: Connection, context: OutboundContext) => {
    switch (event._tag) {
      case "EntryCreated":
      case "EntryUpdated":
        return write(event.entry, connection, context)
      case "EntryDeleted":
        return trash(event.entry, connection, context)
      default:
        return Effect.succeed({ response: `${event._tag} is not sent to Notion` })
    }
  }

  return {
    id: "notion",
    version: "1.0.0",
    title: "Notion",
    description: "Each time entry becomes a page of a Notion data source, kept in step when it is edited or deleted",
    config: Settings,
    secrets: Secrets,
    // the user pastes it into the subscription's settings in Notion, which then signs every event with it
    verificationToken: (secrets: typeof Secrets.Type) => secrets.verificationToken,
    outbound: { events: ["EntryCreated", "EntryUpdated", "EntryDeleted"] as const, handle: send },
    inbound: [{
      route: "webhook",
      verify,
      // events are deduplicated by Notion's event id; a handshake has none
      deliveryId: (request: InboundRequest) => eventOf(request.rawBody)?.id,
      handle
    }]
  }
}))
