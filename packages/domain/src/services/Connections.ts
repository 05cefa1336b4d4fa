import { SqlClient } from "@effect/sql"
import { randomUUID } from "node:crypto"
import { DateTime, Effect, Option, ParseResult, Schema } from "effect"
import { CurrentActor } from "../contract/Actor.js"
import { InvalidInput } from "../contract/Errors.js"
import type { EventType } from "../contract/Events.js"
import type { UserId, WorkspaceId } from "../contract/Ids.js"
import type { ConnectionId, CreateConnection, DeliveryQuery, UpdateConnection } from "../contract/Integration.js"
import {
  Connection,
  ConnectionNotFound,
  eventTypeOfWire,
  IntegrationInfo,
  IntegrationList,
  IntegrationNotFound,
  TargetRefused,
  wireEventType
} from "../contract/Integration.js"
import type { ConnectionOf, Plugin } from "../contract/ports/Integration.js"
import { OutboundTargets, Plugins } from "../contract/ports/Integration.js"
import type { ConnectionRow, IdentityRow } from "../repos/ConnectionsRepo.js"
import { ConnectionsRepo } from "../repos/ConnectionsRepo.js"
import { DeliveriesRepo } from "../repos/DeliveriesRepo.js"
import type { MapIdentity } from "../contract/Identity.js"
import { ExternalIdentity, IdentityNotFound, NotAMember } from "../contract/Identity.js"
import { WorkspacesRepo } from "../repos/WorkspacesRepo.js"
import { Audit } from "./Audit.js"
import { someOrFail } from "./Found.js"
import { SecretBox } from "./SecretBox.js"
import { strictParse } from "../contract/Strict.js"
import { transactional } from "../sql/Transactional.js"

export interface ConnectionInput {
  readonly description?: string | null | undefined
  readonly config?: unknown
  readonly secrets?: Readonly<Record<string, string>> | undefined
  /** Wire names; default: every event the plugin consumes. */
  readonly events?: ReadonlyArray<string> | undefined
  readonly enabled?: boolean | undefined
}

const issueMessage = (error: ParseResult.ParseError) => ParseResult.TreeFormatter.formatErrorSync(error)

/** Every http(s) URL among a connection's settings, however deeply nested, with where it is: each is a possible target. */
const urlsIn = (value: unknown, path: string): ReadonlyArray<{ readonly field: string; readonly url: string }> => {
  if (typeof value === "string") {
    const text = value.trim()
    return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol) ? [{ field: path, url: text }] : []
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => urlsIn(item, `${path}[${i}]`))
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => urlsIn(v, `${path}.${k}`))
  return []
}

/** A secret URL as a refusal may show it: its scheme and host, never the path or query that make it a secret. */
const shownUrl = (url: string) => {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}/…`
}

/** Wire names of an event list stored as domain types. */
export const wireEvents = (types: ReadonlyArray<string>) => types.map((type) => wireEventType(type as EventType))

/**
 * Per-workspace connections to the integrations this server runs. Only owners with a `full` key manage
 * them; secrets are sealed by SecretBox and leave this service only decrypted for the plugin itself.
 */
export class Connections extends Effect.Service<Connections>()("@clockme/domain/Connections", {
  effect: Effect.gen(function*() {
    const repo = yield* ConnectionsRepo
    const queue = yield* DeliveriesRepo
    const workspaces = yield* WorkspacesRepo
    const audit = yield* Audit
    const box = yield* SecretBox
    const plugins = yield* Plugins
    // writes and their audit entry commit together; checks and DNS lookups stay outside the transaction
    const inTransaction = transactional(yield* SqlClient.SqlClient)
    const targets = yield* OutboundTargets

    const plugin = Effect.fn("Connections.plugin")(function*(id: string) {
      const found = yield* plugins.get(id)
      if (found === undefined) {
        const known = (yield* plugins.all).map((p) => p.id).join(", ")
        return yield* new IntegrationNotFound({
          integration: id,
          message: `No integration "${id}" runs on this server (turned on: ${known || "none"}; see CLOCKME_INTEGRATIONS)`
        })
      }
      return found
    })

    const notFound = (id: string) =>
      new ConnectionNotFound({ connectionId: id, message: `Integration connection ${id} not found in your active workspace` })

    /** The plugin's settings as stored, once every URL among them passes the outbound rules. */
    const decodeConfig = (p: Plugin, config: unknown) =>
      Schema.decodeUnknown(p.config, strictParse)(config ?? {}).pipe(
        Effect.mapError((error) => new InvalidInput({ field: "config", message: issueMessage(error) })),
        Effect.flatMap((decoded) => Schema.encode(p.config)(decoded).pipe(Effect.orDie)),
        Effect.tap((encoded) => checkUrls(encoded, "config", false))
      )

    /** Each URL passes the outbound rules, or the refusal names its field (a secret one shown without its path). */
    const checkUrls = (settings: unknown, root: "config" | "secrets", secret: boolean) =>
      Effect.forEach(urlsIn(settings, root), ({ field, url }) =>
        targets.check(url).pipe(Effect.mapError((refused) => {
          const shown = secret ? shownUrl(url) : url
          return new TargetRefused({ url: shown, message: `${field}: ${refused.message.split(url).join(shown)}` })
        })), { discard: true })

    const decodeSecrets = (p: Plugin, secrets: unknown) =>
      Schema.decodeUnknown(p.secrets, strictParse)(secrets ?? {}).pipe(
        Effect.mapError((error) => new InvalidInput({ field: "secrets", message: issueMessage(error) }))
      )

    const eventsFor = (p: Plugin, wire: ReadonlyArray<string> | undefined) =>
      Effect.gen(function*() {
        const consumed = p.outbound?.events ?? []
        if (wire === undefined) return consumed
        const types: Array<EventType> = []
        for (const name of wire) {
          const type = eventTypeOfWire(name)
          if (type === undefined || !consumed.includes(type)) {
            return yield* new InvalidInput({
              field: "events",
              message: `${p.title} does not consume "${name}"; it consumes ${wireEvents(consumed).join(", ") || "no events"}`
            })
          }
          if (!types.includes(type)) types.push(type)
        }
        return types
      })

    /** Secrets as stored: the plugin's encoded form, sealed, plus a fingerprint. */
    const sealSecrets = (p: Plugin, id: ConnectionId, secrets: unknown) =>
      Effect.gen(function*() {
        const decoded = yield* decodeSecrets(p, secrets)
        const encoded = yield* Schema.encode(p.secrets)(decoded).pipe(Effect.orDie)
        yield* checkUrls(encoded, "secrets", true)
        const plaintext = JSON.stringify(encoded)
        if (plaintext === "{}") return { sealed: null, fingerprint: null }
        return { sealed: yield* box.seal(plaintext, id), fingerprint: yield* box.fingerprint(plaintext) }
      })

    /** Creates a connection in the caller's workspace; a managed plugin's own API calls this too. */
    const connect = Effect.fn("Connections.connect")(function*(integration: string, input: ConnectionInput) {
      const actor = yield* CurrentActor
      const p = yield* plugin(integration)
      const id = randomUUID() as ConnectionId
      const encodedConfig = yield* decodeConfig(p, input.config)
      const events = yield* eventsFor(p, input.events)
      const secrets = yield* sealSecrets(p, id, input.secrets)
      const now = DateTime.toDate(yield* DateTime.now)
      const row = yield* inTransaction(Effect.tap(repo.insertConnection({
        id,
        workspaceId: actor.workspaceId,
        integration: p.id,
        description: input.description ?? null,
        config: encodedConfig,
        events,
        secrets: secrets.sealed,
        secretFingerprint: secrets.fingerprint,
        createdBy: actor.userId,
        now
      }), (row) => record("integration.connected", row, actor.userId)))
      return present(row)
    })

    /** Connections are reported beyond their own table in one place: the audit log. */
    const record = (
      type: "integration.connected" | "integration.secrets_changed" | "integration.disconnected",
      row: ConnectionRow,
      userId: UserId
    ) => audit.integration(type, { workspaceId: row.workspaceId, integrationId: row.id, provider: row.integration, userId })

    const present = (row: ConnectionRow): Connection => {
      const { secrets: _secrets, ...fields } = row
      return new Connection({ ...fields, events: wireEvents(row.events) })
    }

    const find = Effect.fn("Connections.find")(function*(integration: string | undefined, id: ConnectionId) {
      const actor = yield* CurrentActor
      const row = yield* repo.findConnection(actor.workspaceId, id)
      if (Option.isNone(row) || (integration !== undefined && row.value.integration !== integration)) {
        return yield* notFound(id)
      }
      return row.value
    })

    const update = Effect.fn("Connections.update")(function*(
      integration: string | undefined,
      id: ConnectionId,
      input: ConnectionInput
    ) {
      const actor = yield* CurrentActor
      const existing = yield* find(integration, id)
      const p = yield* plugin(existing.integration)
      const config = input.config === undefined ? undefined : yield* decodeConfig(p, input.config)
      const events = input.events === undefined ? undefined : yield* eventsFor(p, input.events)
      const secrets = input.secrets === undefined ? undefined : yield* sealSecrets(p, id, input.secrets)
      const now = DateTime.toDate(yield* DateTime.now)
      const updated = yield* inTransaction(Effect.gen(function*() {
        const row = yield* repo.updateConnection(actor.workspaceId, id, {
          description: input.description,
          config,
          events,
          secrets,
          enabled: input.enabled,
          disabledReason: input.enabled === false ? "Paused by an owner" : undefined,
          now
        })
        const found = yield* someOrFail(row, () => notFound(id))
        if (secrets !== undefined) yield* record("integration.secrets_changed", found, actor.userId)
        return found
      }))
      return present(updated)
    })

    /**
     * Replaces a connection's secrets on the server's own account (a handshake the provider made): sealed and
     * fingerprinted like an owner's change, and audited without a user.
     */
    const replaceSecrets = Effect.fn("Connections.replaceSecrets")(function*(p: Plugin, id: ConnectionId, secrets: unknown) {
      const encoded = yield* Schema.encode(p.secrets)(secrets).pipe(Effect.orDie)
      const sealed = yield* sealSecrets(p, id, encoded).pipe(Effect.orDie)
      const row = yield* repo.findConnectionById(id)
      if (Option.isNone(row)) return
      const now = DateTime.toDate(yield* DateTime.now)
      yield* inTransaction(Effect.gen(function*() {
        const updated = yield* repo.updateConnection(row.value.workspaceId, id, { secrets: sealed, now })
        if (Option.isSome(updated)) {
          yield* audit.integration("integration.secrets_changed", {
            workspaceId: row.value.workspaceId,
            integrationId: id,
            provider: row.value.integration,
            userId: null
          })
        }
      }))
    })

    const disconnect = Effect.fn("Connections.disconnect")(function*(integration: string | undefined, id: ConnectionId) {
      const actor = yield* CurrentActor
      const existing = yield* find(integration, id)
      yield* inTransaction(
        Effect.zipRight(repo.deleteConnection(actor.workspaceId, id), record("integration.disconnected", existing, actor.userId))
      )
      return present(existing)
    })

    /** A connection its target refused for good (a Zap turned off): the server removes it, and says so in the audit log. */
    const removeRefused = Effect.fn("Connections.removeRefused")(function*(id: ConnectionId) {
      const row = yield* repo.findConnectionById(id)
      if (Option.isNone(row)) return
      yield* inTransaction(
        Effect.zipRight(
          repo.removeConnection(id),
          audit.integration("integration.disconnected", {
            workspaceId: row.value.workspaceId,
            integrationId: id,
            provider: row.value.integration,
            userId: null
          })
        )
      )
    })

    /**
     * Replaces the plain-hash fingerprints older servers stored (they confirm a guessed secret offline) with
     * HMACs; a connection whose secrets this server cannot open keeps its fingerprint and is logged.
     */
    const refingerprint = Effect.gen(function*() {
      if (!box.configured) return
      for (const row of yield* repo.plainFingerprinted) {
        const redone = yield* Effect.exit(
          Effect.flatMap(Effect.flatMap(box.open(row.secrets, row.id), box.fingerprint), (fp) => repo.setFingerprint(row.id, fp))
        )
        if (redone._tag === "Failure") yield* Effect.logWarning(`Connection ${row.id}: its fingerprint could not be redone`)
      }
    }).pipe(Effect.withSpan("Connections.refingerprint"))

    const get = Effect.fn("Connections.get")(function*(integration: string | undefined, id: ConnectionId) {
      return yield* find(integration, id)
    })

    const list = Effect.gen(function*() {
      const actor = yield* CurrentActor
      const available = (yield* plugins.all).map((p) =>
        new IntegrationInfo({
          id: p.id,
          version: p.version,
          title: p.title,
          description: p.description,
          events: wireEvents(p.outbound?.events ?? []),
          inbound: (p.inbound ?? []).map((route) => route.route)
        })
      )
      const rows = yield* repo.listConnections(actor.workspaceId)
      return new IntegrationList({ available, connections: rows.map(present) })
    }).pipe(Effect.withSpan("Connections.list"))

    const listOf = Effect.fn("Connections.listOf")(function*(integration: string) {
      const actor = yield* CurrentActor
      return yield* repo.listConnections(actor.workspaceId, integration)
    })

    /** Through POST /api/integrations: any plugin but those managed by their own API. */
    const create = Effect.fn("Connections.create")(function*(input: CreateConnection) {
      // the key's scope before anything about the input: a read key learns nothing about plugins
      const p = yield* plugin(input.integration)
      if (p.managed) {
        return yield* new InvalidInput({
          field: "integration",
          message: `${p.title} connections are created through their own API, not POST /api/integrations`
        })
      }
      return yield* connect(p.id, input)
    })

    const patch = (id: ConnectionId, input: UpdateConnection) => update(undefined, id, input)
    const remove = (id: ConnectionId) => disconnect(undefined, id)

    /** A stored connection as its plugin sees it: settings decoded, secrets opened. */
    const resolve = Effect.fn("Connections.resolve")(function*(p: Plugin, row: ConnectionRow) {
      const config = yield* Schema.decodeUnknown(p.config)(row.config).pipe(Effect.orDie)
      const plaintext = row.secrets === null ? "{}" : yield* box.open(row.secrets, row.id)
      const secrets = yield* Schema.decodeUnknown(p.secrets)(JSON.parse(plaintext)).pipe(Effect.orDie)
      const connection: ConnectionOf<unknown, unknown> = { id: row.id, workspaceId: row.workspaceId, config, secrets }
      return connection
    })

    /** Loads and resolves a connection by id alone (inbound routes, whose callers have no API key). */
    const resolveById = Effect.fn("Connections.resolveById")(function*(integration: string, id: ConnectionId) {
      const p = yield* plugin(integration)
      const row = yield* repo.findConnectionById(id)
      if (Option.isNone(row) || row.value.integration !== p.id || !row.value.enabled) return yield* notFound(id)
      return { plugin: p, connection: yield* resolve(p, row.value) }
    })

    const workspaceOf = Effect.map(CurrentActor, (actor): WorkspaceId => actor.workspaceId)

    /** The connection's delivery log (events out, requests in), for its owners. */
    const deliveries = Effect.fn("Connections.deliveries")(function*(id: ConnectionId, query: DeliveryQuery) {
      yield* find(undefined, id)
      return yield* queue.listDeliveries(id, { state: query.state, limit: query.limit ?? 50 })
    })

    const presentIdentity = (row: IdentityRow) =>
      new ExternalIdentity({ ...row, createdAt: DateTime.unsafeFromDate(row.createdAt) })

    const identities = Effect.fn("Connections.identities")(function*(id: ConnectionId) {
      yield* find(undefined, id)
      return (yield* repo.listIdentities(id)).map(presentIdentity)
    })

    /** Maps a provider's user to a member of the connection's workspace, by email or user id. */
    const mapIdentity = Effect.fn("Connections.mapIdentity")(function*(id: ConnectionId, input: MapIdentity) {
      const actor = yield* CurrentActor
      yield* find(undefined, id)
      const members = yield* workspaces.listMembers(actor.workspaceId)
      const member = "email" in input
        ? members.find((m) => m.email.toLowerCase() === input.email.trim().toLowerCase())
        : members.find((m) => m.userId === input.userId)
      if (member === undefined) {
        return yield* new NotAMember({
          message: "email" in input
            ? `No member of this workspace has the email ${input.email}`
            : `User ${input.userId} is not a member of this workspace`
        })
      }
      const now = yield* DateTime.now
      yield* repo.upsertIdentity({
        connectionId: id,
        externalId: input.externalId,
        userId: member.userId,
        createdBy: actor.userId,
        now: DateTime.toDate(now)
      })
      return new ExternalIdentity({ externalId: input.externalId, userId: member.userId, email: member.email, createdAt: now })
    })

    const unmapIdentity = Effect.fn("Connections.unmapIdentity")(function*(id: ConnectionId, externalId: string) {
      yield* find(undefined, id)
      const existing = yield* repo.findIdentity(id, externalId)
      if (Option.isNone(existing) || !(yield* repo.deleteIdentity(id, externalId))) {
        return yield* new IdentityNotFound({ externalId, message: `No identity "${externalId}" is mapped for connection ${id}` })
      }
      return presentIdentity(existing.value)
    })

    return {
      plugin,
      connect,
      update,
      disconnect,
      replaceSecrets,
      get,
      find,
      list,
      listOf,
      create,
      patch,
      remove,
      removeRefused,
      refingerprint,
      resolve,
      resolveById,
      present,
      workspaceOf,
      deliveries,
      identities,
      mapIdentity,
      unmapIdentity
    } as const
  }),
  dependencies: [ConnectionsRepo.Default, DeliveriesRepo.Default, WorkspacesRepo.Default, SecretBox.Default, Audit.Default]
}) {}
