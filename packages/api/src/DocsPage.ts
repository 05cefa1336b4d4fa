import { Api } from "@clockme/domain/contract/api/Api"
import * as HttpApiScalar from "@effect/platform/HttpApiScalar"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"

/**
 * The interactive reference (Scalar, inlined so it works offline). Loaded on the first visit: the
 * page's script is most of the server's code by size and no API call needs it. Nothing is fetched from
 * elsewhere: the system's fonts instead of Scalar's (which it would load from its own site).
 */
export const docsApp = HttpLayerRouter.toHttpEffect(HttpApiScalar.layerHttpLayerRouter({
  api: Api,
  path: "/api/docs",
  scalar: { withDefaultFonts: false, favicon: "data:," }
}))
