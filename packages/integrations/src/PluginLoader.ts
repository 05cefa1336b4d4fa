import { createRequire } from "node:module"
import { isAbsolute, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Layer } from "effect"
import type { Outbound } from "./Outbound.js"
import type { Plugins } from "@clockme/domain/contract/ports/Integration"

/** A plugin as an npm package exports it: its default export (or `plugin`) is the plugin's layer. */
type PluginLayer = Layer.Layer<never, never, Plugins | Outbound>

/** Where `name` resolves: a path as given; a package from the server's own modules, else from the working directory's. */
const specifiers = (name: string): ReadonlyArray<string> => {
  if (name.startsWith(".") || isAbsolute(name)) return [pathToFileURL(resolve(name)).href]
  const candidates = [name]
  try {
    candidates.push(pathToFileURL(createRequire(join(process.cwd(), "package.json")).resolve(name)).href)
  } catch {
    // not installed next to the working directory either; the first attempt's error is reported
  }
  return candidates
}

const errorText = (error: unknown) => error instanceof Error ? error.message.split("\n")[0] : String(error)

/**
 * Imports a plugin package named in CLOCKME_INTEGRATIONS. A name that does not load, or whose module exports no
 * layer, stops the server at start with a message naming it (a typo must not silently leave a plugin off).
 */
export const loadPlugin = (name: string, builtIn: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    let failure: unknown
    for (const specifier of specifiers(name)) {
      const loaded = yield* Effect.tryPromise(() => import(specifier) as Promise<Record<string, unknown>>).pipe(Effect.either)
      if (loaded._tag === "Left") {
        failure ??= loaded.left.error
        continue
      }
      const layer = loaded.right.default ?? loaded.right.plugin
      if (!Layer.isLayer(layer)) {
        return yield* Effect.dieMessage(
          `CLOCKME_INTEGRATIONS names "${name}", whose module exports no plugin layer (export default pluginLayer(…))`
        )
      }
      return layer as unknown as PluginLayer
    }
    return yield* Effect.dieMessage(
      `CLOCKME_INTEGRATIONS names "${name}", which is neither a built-in integration (${builtIn.join(", ")}) ` +
        `nor a package that loads: ${errorText(failure)}`
    )
  })
