import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Option } from "effect"
import type { Actor } from "./contract/Actor.js"
import { CurrentActor } from "./contract/Actor.js"
import type { ConnectionId, DeliveryId } from "./contract/Integration.js"
import type { InboundContext, OperationRunner, Plugin } from "./contract/ports/Integration.js"
import { InboundSkipped } from "./contract/ports/Integration.js"
import type { WorkspaceId } from "./contract/Ids.js"
import { Operations } from "./Operations.js"
import { ConnectionsRepo } from "./repos/ConnectionsRepo.js"
import { DeliveriesRepo } from "./repos/DeliveriesRepo.js"
import { WorkspacesRepo } from "./repos/WorkspacesRepo.js"
import { Connections } from "./services/Connections.js"
import { transactional } from "./sql/Transactional.js"

/** The one place an integration runs operations of the table as a member (the table applies every rule). */
const runner = (operations: Operations, actor: Actor, nextKey: () => string): OperationRunner =>
  ((group: string, endpoint: string, request: { readonly headers?: Record<string, string | undefined> }) => {
    const operation = (operations as unknown as Record<string, Record<string, (request: unknown) => Effect.Effect<unknown, unknown, CurrentActor>>>)[group]![endpoint]!
    const headers = { "idempotency-key": nextKey(), ...request.headers }
    return Effect.provideService(operation({ ...request, headers }), CurrentActor, actor)
  }) as OperationRunner

/**
 * What an inbound handler acts with: `actAs` resolves the provider's user to a member of the connection's
 * workspace (a stored mapping first, then the provider's email) and runs operations as them; `once`
 * remembers side effects per connection; `setSecrets` keeps a secret the provider handed over, sealed.
 */
export class InboundContexts extends Effect.Service<InboundContexts>()("@clockme/domain/InboundContexts", {
  effect: Effect.gen(function*() {
    const operations = yield* Operations
    const connections = yield* ConnectionsRepo
    const deliveries = yield* DeliveriesRepo
    const workspaces = yield* WorkspacesRepo
    const connectionSettings = yield* Connections
    const inTransaction = transactional(yield* SqlClient.SqlClient)

    const member = Effect.fn("InboundContexts.member")(function*(
      connection: { readonly id: ConnectionId; readonly workspaceId: WorkspaceId },
      externalId: string,
      options: { readonly email?: string | undefined; readonly label?: string | undefined }
    ) {
      const who = `${options.label ?? "user"} "${externalId}"`
      const members = yield* workspaces.listMembers(connection.workspaceId)
      const mapped = yield* connections.findIdentity(connection.id, externalId)
      if (Option.isSome(mapped)) {
        const found = members.find((m) => m.userId === mapped.value.userId)
        if (found === undefined) {
          return yield* new InboundSkipped({ message: `${who} is mapped to a user who is no longer a member of the workspace` })
        }
        return { member: found, mappedBy: "identity" as const }
      }
      const email = options.email?.trim().toLowerCase()
      const byEmail = email === undefined || email === "" ? undefined : members.find((m) => m.email.toLowerCase() === email)
      if (byEmail !== undefined) return { member: byEmail, mappedBy: "email" as const }
      return yield* new InboundSkipped({
        message: `${who} is not mapped to a member of this workspace` +
          (email ? ` and no member has the email ${email}` : "") +
          `; map it with POST /api/integrations/${connection.id}/identities`
      })
    })

    /** The context for one processing of one stored delivery. */
    const make = (
      plugin: Plugin,
      connection: { readonly id: ConnectionId; readonly workspaceId: WorkspaceId },
      deliveryId: DeliveryId
    ): InboundContext => {
      let calls = 0
      const nextKey = () => `inbound:${deliveryId}:${calls++}`
      return {
        deliveryId,
        actAs: (externalId, options = {}) =>
          Effect.map(member(connection, externalId, options), ({ mappedBy, member }) => {
            const actor: Actor = {
              userId: member.userId,
              workspaceId: connection.workspaceId,
              keyWorkspaceId: connection.workspaceId,
              keyId: null,
              scope: "write",
              source: "integration"
            }
            return { userId: member.userId, email: member.email, mappedBy, run: runner(operations, actor, nextKey) }
          }),
        once: (key, effect) =>
          Effect.gen(function*() {
            if (yield* deliveries.onceDone(connection.id, key)) return false
            yield* effect
            yield* deliveries.markOnce(connection.id, key, DateTime.toDate(yield* DateTime.now))
            return true
          }),
        setSecrets: (secrets) =>
          inTransaction(Effect.zipRight(
            connectionSettings.replaceSecrets(plugin, connection.id, secrets),
            deliveries.forgetBody(deliveryId)
          ))
      }
    }

    return { make } as const
  }),
  dependencies: [ConnectionsRepo.Default, DeliveriesRepo.Default, WorkspacesRepo.Default]
}) {}
