import { Api } from "@clockme/domain/contract/api/Api"
import { Connections } from "@clockme/domain/services/Connections"
import { Webhooks } from "@clockme/integrations/webhooks/Webhooks"
import { Zapier } from "@clockme/integrations/zapier/Zapier"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const IntegrationsHttp = HttpApiBuilder.group(Api, "integrations", (handlers) =>
  Effect.map(Connections, (connections) =>
    handlers
      .handle("list", () => connections.list)
      .handle("connect", ({ payload }) => connections.create(payload))
      .handle("update", ({ path, payload }) => connections.patch(path.id, payload))
      .handle("disconnect", ({ path }) => connections.remove(path.id))))

export const WebhooksHttp = HttpApiBuilder.group(Api, "webhooks", (handlers) =>
  Effect.map(Webhooks, (webhooks) =>
    handlers
      .handle("list", () => webhooks.list)
      .handle("create", ({ payload }) => webhooks.create(payload))
      .handle("get", ({ path }) => webhooks.get(path.id))
      .handle("update", ({ path, payload }) => webhooks.update(path.id, payload))
      .handle("delete", ({ path }) => webhooks.remove(path.id))
      .handle("rotateSecret", ({ path, payload }) => webhooks.rotate(path.id, payload))
      .handle("test", ({ path }) => webhooks.test(path.id))
      .handle("deliveries", ({ path, urlParams }) => webhooks.deliveries(path.id, urlParams))
      .handle("retry", ({ path }) => webhooks.retry(path.id, path.deliveryId))))

export const ZapierHttp = HttpApiBuilder.group(Api, "zapier", (handlers) =>
  Effect.map(Zapier, (zapier) =>
    handlers
      .handle("subscribe", ({ payload }) => zapier.subscribe(payload))
      .handle("unsubscribe", ({ path }) => zapier.unsubscribe(path.id))
      .handle("samples", ({ path }) => zapier.samples(path.event))))
