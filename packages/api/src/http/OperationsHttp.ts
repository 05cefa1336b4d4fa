import { Api } from "@clockme/domain/contract/api/Api"
import { reportCsv } from "@clockme/domain/contract/Report"
import { summaryCsv } from "@clockme/domain/contract/Workspace"
import type { EdgeGroup, OperationTable } from "@clockme/domain/Operations"
import { edgeGroups, Operations } from "@clockme/domain/Operations"
import type { HttpApi, HttpApiGroup } from "@effect/platform"
import { HttpApiBuilder } from "@effect/platform"
import { Effect, Layer } from "effect"
import { negotiated } from "./CsvResponse.js"
import { protobufExport } from "./OtlpProtobuf.js"

type Groups = typeof Api extends HttpApi.HttpApi<string, infer G, infer _E, infer _R> ? G : never
type Handler = (request: any) => Effect.Effect<unknown, unknown, unknown>

type Edges = {
  readonly [G in keyof OperationTable]?: {
    readonly [E in keyof OperationTable[G]]?: (operation: OperationTable[G][E]) => Handler
  }
}

/** Where HTTP answers other than with the operation's data: CSV negotiation on the JSON reports, protobuf OTLP. */
const edges: Edges = {
  reports: { billing: negotiated(reportCsv) },
  workspaces: { summary: negotiated(summaryCsv) },
  otlp: { logs: protobufExport }
}

/** `group.endpoint` of every endpoint with an edge of its own: the direct handler leaves them to the platform. */
export const edgeEndpoints: ReadonlySet<string> = new Set(
  Object.entries(edges).flatMap(([group, endpoints]) => Object.keys(endpoints ?? {}).map((name) => `${group}.${name}`))
)

const answer = (name: keyof OperationTable) =>
  HttpApiBuilder.group(Api, name, (handlers) =>
    Effect.map(Operations, (operations) => {
      const edge = (edges[name] ?? {}) as Record<string, (operation: Handler) => Handler>
      let all: { readonly handle: (endpoint: string, handler: Handler) => typeof all } = handlers as never
      for (const [endpoint, operation] of Object.entries(operations[name] as Record<string, Handler>)) {
        all = all.handle(endpoint, edge[endpoint]?.(operation) ?? operation)
      }
      // The table's type lists every endpoint, so every group is fully handled.
      return all as unknown as HttpApiBuilder.Handlers<never, never, never>
    }))

const [first, ...rest] = Object.keys(Api.groups).filter((name) => !edgeGroups.has(name)).map((name) =>
  answer(name as keyof OperationTable)
)

/** Every group of the contract but the edge's (SessionHttp), each endpoint answered by its entry in the table of operations. */
export const OperationsHttp = Layer.mergeAll(first!, ...rest) as unknown as Layer.Layer<HttpApiGroup.HttpApiGroup.ToService<"clockme", Exclude<Groups, HttpApiGroup.HttpApiGroup.WithName<Groups, EdgeGroup>>>, never, Operations>
