import { Api } from "@clockme/domain/contract/api/Api"
import * as HttpApiScalar from "@effect/platform/HttpApiScalar"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"

/**
 * The interactive reference (Scalar, inlined so it works offline). Loaded on the first visit: the
 * page's script is most of the server's code by size and no API call needs it.
 */
export const docsApp = HttpLayerRouter.toHttpEffect(HttpApiScalar.layerHttpLayerRouter({ api: Api, path: "/api/docs" }))
