import type { HttpApiGroup } from "@effect/platform"
import { Context, Effect } from "effect"
import { checkScope, CurrentActor } from "./contract/Actor.js"
import type { Actor } from "./contract/Actor.js"
import type { WorkspaceId } from "./contract/Ids.js"
import { requiredRole, requiredScope } from "./contract/api/Access.js"
import { Api } from "./contract/api/Api.js"
import { edgeGroups } from "./contract/api/OperationTable.js"
import type { OperationTable } from "./contract/api/OperationTable.js"
import { Health } from "./contract/api/SystemApi.js"
import { InvalidExport } from "./contract/Usage.js"
import { reportCsv } from "./contract/Report.js"
import { summaryCsv } from "./contract/Workspace.js"
import { Accounts } from "./services/Accounts.js"
import { ApiKeys } from "./services/ApiKeys.js"
import { Audit } from "./services/Audit.js"
import { Budgets } from "./services/Budgets.js"
import { Connections } from "./services/Connections.js"
import { Dashboard } from "./services/Dashboard.js"
import { Entries } from "./services/Entries.js"
import { Events } from "./services/Events.js"
import { Ownership } from "./services/Ownership.js"
import { ProjectDetails } from "./services/ProjectDetails.js"
import { Projects } from "./services/Projects.js"
import { Reports } from "./services/Reports.js"
import { Tasks } from "./services/Tasks.js"
import { Timers } from "./services/Timers.js"
import { Usage } from "./services/Usage.js"
import { Invites } from "./services/Invites.js"
import { Members } from "./services/Members.js"
import { Workspaces } from "./services/Workspaces.js"

export type { Operation, OperationRequest, OperationTable } from "./contract/api/OperationTable.js"
export type { EdgeGroup } from "./contract/api/OperationTable.js"
export { edgeGroups } from "./contract/api/OperationTable.js"

/** Groups of the contract whose services live in integration plugins, outside domain. */
export type PluginGroup = "webhooks" | "zapier"

/**
 * The plugin groups' part of the table, provided by the composition root from the plugins' services
 * (domain never imports integrations).
 */
export class PluginOperations extends Context.Tag("@clockme/domain/PluginOperations")<
  PluginOperations,
  Pick<OperationTable, PluginGroup>
>() {}

type AnyOperation = (request: never) => Effect.Effect<unknown, unknown, CurrentActor>

/**
 * Each operation behind the scope and role its endpoint declares (RequiredScope: GET → read, otherwise write;
 * RequiredRole where only owners may call it): the one place they are checked, for every caller of the table.
 */
const guarded = (table: OperationTable, ownership: Ownership): OperationTable => {
  const byGroup = table as unknown as Record<string, Record<string, AnyOperation>>
  const out: Record<string, Record<string, AnyOperation>> = {}
  for (const group of Object.values(Api.groups as unknown as Record<string, HttpApiGroup.HttpApiGroup.AnyWithProps>)) {
    if (edgeGroups.has(group.identifier)) continue
    const operations = byGroup[group.identifier]!
    out[group.identifier] = Object.fromEntries(Object.values(group.endpoints).map((endpoint) => {
      const operation = operations[endpoint.name]!
      const scope = requiredScope(endpoint)
      const role = requiredRole(endpoint)
      const checks: Array<(request: { readonly path?: { readonly id?: WorkspaceId } }) => Effect.Effect<void, unknown, CurrentActor>> = [
        ...(scope === "read" ? [] : [() => checkScope(scope)]),
        ...(role === undefined ? [] : [(request: { readonly path?: { readonly id?: WorkspaceId } }) =>
          ownership.requireOwner(role, request.path?.id)])
      ]
      const run: AnyOperation = checks.length === 0
        ? operation
        : (request) => Effect.zipRight(Effect.forEach(checks, (check) => check(request as never), { discard: true }), operation(request))
      return [endpoint.name, run]
    }))
  }
  return out as unknown as OperationTable
}

/**
 * Runs an operation of the table as `actor`: the way in for callers other than REST and MCP (an integration
 * acting as a member), with the same scope check. `actor` comes from admission (Admission.admit), e.g.
 * `operations.timer.start({ headers: {}, payload }).pipe(runAs(actor))`.
 */
export const runAs = (actor: Actor) => <A, E>(operation: Effect.Effect<A, E, CurrentActor>): Effect.Effect<A, E> =>
  Effect.provideService(operation, CurrentActor, actor)

/**
 * The one table of operations: which service call answers each endpoint, behind the scope the endpoint
 * declares. The REST handlers and the MCP tools both run these, so an endpoint and its tool can never call
 * different things or be admitted differently.
 */
export class Operations extends Effect.Service<Operations>()("@clockme/domain/Operations", {
  effect: Effect.gen(function*() {
    const timers = yield* Timers
    const entries = yield* Entries
    const projects = yield* Projects
    const details = yield* ProjectDetails
    const tasks = yield* Tasks
    const reports = yield* Reports
    const workspaces = yield* Workspaces
    const invites = yield* Invites
    const members = yield* Members
    const budgets = yield* Budgets
    const dashboard = yield* Dashboard
    const accounts = yield* Accounts
    const keys = yield* ApiKeys
    const events = yield* Events
    const audit = yield* Audit
    const connections = yield* Connections
    const plugins = yield* PluginOperations
    const ownership = yield* Ownership
    const usage = yield* Usage
    const table: OperationTable = {
      timer: {
        current: () => timers.current,
        start: ({ headers, payload }) => timers.start(payload, { idempotencyKey: headers["idempotency-key"] }),
        stop: ({ headers, payload }) => timers.stop(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }),
        pause: ({ headers, payload }) => timers.pause(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }),
        resume: ({ headers, payload }) => timers.resume(payload ?? {}, { idempotencyKey: headers["idempotency-key"] }),
        heartbeat: ({ payload }) => timers.heartbeat(payload ?? {}),
        update: ({ payload }) => timers.update(payload)
      },
      entries: {
        list: ({ urlParams }) => entries.list(urlParams),
        create: ({ headers, payload }) =>
          entries.create({ ...payload, idempotencyKey: payload.idempotencyKey ?? headers["idempotency-key"] }),
        update: ({ path, payload }) => entries.update(path.id, payload),
        delete: ({ path }) => entries.remove(path.id)
      },
      projects: {
        list: ({ urlParams }) => projects.list(urlParams),
        create: ({ payload }) => projects.create(payload),
        get: ({ path }) => projects.get(path.id),
        details: ({ path }) => details.get(path.id),
        update: ({ path, payload }) => projects.update(path.id, payload)
      },
      tasks: {
        list: ({ urlParams }) => tasks.list(urlParams.projectId, urlParams.status),
        create: ({ payload }) => tasks.create(payload),
        complete: ({ path }) => tasks.complete(path.id)
      },
      reports: {
        billing: ({ urlParams }) => reports.billing(urlParams),
        billingCsv: ({ urlParams }) => Effect.map(reports.billing(urlParams), (report) => reportCsv(report).content)
      },
      workspaces: {
        list: () => workspaces.list,
        create: ({ payload }) => workspaces.create(payload),
        join: ({ payload }) => invites.join(payload.code),
        get: ({ path }) => workspaces.get(path.id),
        update: ({ path, payload }) => workspaces.update(path.id, payload),
        activate: ({ path }) => workspaces.activate(path.id),
        leave: ({ path }) => members.leave(path.id),
        createInvite: ({ path, payload }) => invites.createInvite(path.id, payload),
        listInvites: ({ path }) => invites.listInvites(path.id),
        revokeInvite: ({ path }) => invites.revokeInvite(path.id, path.inviteId),
        members: ({ path }) => members.members(path.id),
        updateMember: ({ path, payload }) => members.setRole(path.id, path.userId, payload),
        removeMember: ({ path }) => members.removeMember(path.id, path.userId),
        summary: ({ path, urlParams }) => workspaces.summary(path.id, urlParams),
        summaryCsv: ({ path, urlParams }) =>
          Effect.map(workspaces.summary(path.id, urlParams), (summary) => summaryCsv(summary).content)
      },
      budgets: {
        get: ({ path }) => budgets.get(path.id),
        alerts: ({ urlParams }) => budgets.alerts(urlParams)
      },
      audit: {
        list: ({ urlParams }) => audit.list(urlParams)
      },
      events: {
        list: ({ urlParams }) => events.read(urlParams)
      },
      dashboard: {
        get: () => dashboard.get
      },
      me: {
        get: () => accounts.me,
        update: ({ payload }) => accounts.update(payload)
      },
      keys: {
        list: () => keys.list,
        create: ({ payload }) => keys.create(payload),
        rotate: ({ path, payload }) => keys.rotate(path.id, payload),
        revoke: ({ path }) => keys.revoke(path.id)
      },
      system: {
        health: () => Effect.succeed(new Health({ status: "ok" }))
      },
      integrations: {
        list: () => connections.list,
        connect: ({ payload }) => connections.create(payload),
        update: ({ path, payload }) => connections.patch(path.id, payload),
        disconnect: ({ path }) => connections.remove(path.id),
        deliveries: ({ path, urlParams }) => connections.deliveries(path.id, urlParams),
        identities: ({ path }) => connections.identities(path.id),
        mapIdentity: ({ path, payload }) => connections.mapIdentity(path.id, payload),
        unmapIdentity: ({ path }) => connections.unmapIdentity(path.id, path.externalId)
      },
      otlp: {
        // the HTTP edge decodes protobuf into the JSON shape before this runs
        logs: ({ payload }) =>
          payload instanceof Uint8Array
            ? Effect.fail(new InvalidExport({ message: "A protobuf export must be decoded before it is read" }))
            : usage.ingestOtlp(payload)
      },
      ...plugins
    }
    return guarded(table, ownership)
  })
}) {}
