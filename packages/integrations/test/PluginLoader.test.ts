import { Plugins } from "@clockme/domain/contract/ports/Integration"
import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Cause, ConfigProvider, Effect, Exit, Layer } from "effect"
import { PluginsLive } from "../src/Integrations.js"
import { Outbound, Resolver } from "../src/Outbound.js"

/** The plugins a server would run with this CLOCKME_INTEGRATIONS. */
const load = (names: string) =>
  Effect.flatMap(Plugins, (plugins) => plugins.all).pipe(
    Effect.map((all) => all.map((plugin) => plugin.id).sort()),
    Effect.provide(PluginsLive().pipe(
      Layer.provideMerge(Plugins.layer),
      Layer.provide(Outbound.Default),
      Layer.provide(Resolver.live),
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["CLOCKME_INTEGRATIONS", names]]))))
    )),
    Effect.exit
  )

const failureText = (exit: Exit.Exit<unknown, unknown>) => Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "succeeded"

/** A third-party plugin as a package outside the repository: a module whose default export is a plugin layer. */
const thirdParty = () => {
  const dir = mkdtempSync(join(tmpdir(), "clockme-plugin-"))
  const effect = pathToFileURL(createRequire(import.meta.url).resolve("effect")).href
  mkdirSync(join(dir, "jira"))
  writeFileSync(join(dir, "jira", "package.json"), JSON.stringify({ name: "@acme/clockme-jira", type: "module", main: "index.js" }))
  writeFileSync(join(dir, "jira", "index.js"), `
import { Context, Effect, Layer, Schema } from ${JSON.stringify(effect)}
const Plugins = Context.GenericTag("@clockme/domain/ports/Plugins")
const plugin = { id: "jira", version: "0.1.0", title: "Jira", description: "A third-party plugin",
  config: Schema.Struct({}), secrets: Schema.Struct({}) }
export default Layer.effectDiscard(Effect.flatMap(Plugins, (registry) => registry.register(plugin)))
`)
  writeFileSync(join(dir, "nothing.js"), "export const answer = 42\n")
  return dir
}

describe("plugins by name (CLOCKME_INTEGRATIONS)", () => {
  it.effect("built-in ids, the example package by its short name and by its npm name", () =>
    Effect.gen(function*() {
      expect(yield* load("webhooks,zapier")).toEqual(Exit.succeed(["webhooks", "zapier"]))
      expect(yield* load("webhooks, example")).toEqual(Exit.succeed(["example", "webhooks"]))
      expect(yield* load("zapier,@clockme/plugin-example")).toEqual(Exit.succeed(["example", "zapier"]))
      expect(yield* load("")).toEqual(Exit.succeed([]))
    }))

  it.effect("a package outside the repository loads from its path; what does not load stops the start, named", () =>
    Effect.gen(function*() {
      const dir = thirdParty()
      expect(yield* load(`webhooks,${join(dir, "jira", "index.js")}`)).toEqual(Exit.succeed(["jira", "webhooks"]))
      const missing = yield* load("webhooks,@acme/clockme-missing")
      expect(failureText(missing)).toContain(`"@acme/clockme-missing", which is neither a built-in integration (webhooks, zapier, github, slack, linear, notion)`)
      const typo = yield* load("webhook")
      expect(failureText(typo)).toContain(`"webhook", which is neither a built-in integration`)
      const noLayer = yield* load(join(dir, "nothing.js"))
      expect(failureText(noLayer)).toContain("exports no plugin layer")
    }))
})
