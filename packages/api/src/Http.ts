import { Api } from "@clockme/domain/contract/api/Api"
import { HttpApiBuilder, HttpApiScalar, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Layer } from "effect"
import { createServer } from "node:http"
import { AuthenticationLive } from "./Authentication.js"
import { BudgetsHttp } from "./http/BudgetsHttp.js"
import { DashboardHttp } from "./http/DashboardHttp.js"
import { EntriesHttp } from "./http/EntriesHttp.js"
import { EventsHttp } from "./http/EventsHttp.js"
import { KeysHttp } from "./http/KeysHttp.js"
import { MeHttp } from "./http/MeHttp.js"
import { ProjectsHttp } from "./http/ProjectsHttp.js"
import { ReportsHttp } from "./http/ReportsHttp.js"
import { SystemHttp } from "./http/SystemHttp.js"
import { TasksHttp } from "./http/TasksHttp.js"
import { TimerHttp } from "./http/TimerHttp.js"
import { WorkspacesHttp } from "./http/WorkspacesHttp.js"
import { InboundLive } from "./http/InboundHttp.js"
import { IntegrationsHttp, WebhooksHttp, ZapierHttp } from "./http/IntegrationsHttp.js"
import { McpLive } from "./Mcp.js"
import { requestGuard } from "./RequestGuard.js"

export const ApiLive = HttpApiBuilder.api(Api).pipe(
  Layer.provide([
    TimerHttp,
    EntriesHttp,
    ProjectsHttp,
    TasksHttp,
    ReportsHttp,
    WorkspacesHttp,
    BudgetsHttp,
    DashboardHttp,
    MeHttp,
    KeysHttp,
    SystemHttp,
    EventsHttp,
    IntegrationsHttp,
    WebhooksHttp,
    ZapierHttp
  ]),
  Layer.provide(AuthenticationLive)
)

export interface ListenOptions {
  readonly port: number
  readonly host: string
}

/** The REST API, its OpenAPI document, interactive docs and the MCP server on one Node HTTP server. */
export const HttpLive = (listen: ListenOptions) =>
  HttpApiBuilder.serve(requestGuard).pipe(
    Layer.provide(HttpApiScalar.layer({ path: "/api/docs" })),
    Layer.provide(McpLive),
    Layer.provide(InboundLive),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/api/openapi" })),
    Layer.provide(HttpApiBuilder.middlewareCors()),
    Layer.provide(ApiLive),
    Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { port: listen.port, host: listen.host })),
    HttpServer.withLogAddress
  )
