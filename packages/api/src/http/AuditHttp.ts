import { Api } from "@clockme/domain/contract/api/Api"
import { Audit } from "@clockme/domain/services/Audit"
import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"

export const AuditHttp = HttpApiBuilder.group(Api, "audit", (handlers) =>
  Effect.map(Audit, (audit) => handlers.handle("list", ({ urlParams }) => audit.list(urlParams))))
