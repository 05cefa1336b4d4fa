import { readFile } from "node:fs/promises"
import type { Plugin } from "esbuild"
import { defineConfig } from "tsup"

// Bundled CommonJS dependencies call `require`, which an ES module lacks.
const requireShim = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

/**
 * The docs page's script (Scalar, 3 MB) is reachable from the server through @effect/platform's index,
 * which would put it in the chunk every start loads. Dropping that one re-export leaves it reachable
 * only from DocsPage.ts, which imports it by its own path on the first visit.
 */
const docsScriptOnDemand: Plugin = {
  name: "docs-script-on-demand",
  setup(build) {
    build.onLoad({ filter: /@effect[\\/]platform[\\/]dist[\\/]esm[\\/]index\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, "utf8")).replace(/^export \* as HttpApiScalar from .*$/m, ""),
      loader: "js"
    }))
  }
}

/**
 * The server is bundled: a bundle starts in a fraction of the time Node takes to resolve and load
 * hundreds of modules. It is split at its dynamic imports, so a start loads neither the command-line
 * parser, the MCP SDK nor the docs page's script until a command or request needs them, and minified
 * because compiling the source is most of a start. Names are not kept: esbuild's `__name` wrapper ran on
 * every closure Effect's schemas and fibers create per request, 5–10% of a request's CPU. PGlite stays a dependency (it loads
 * its WebAssembly and data files next to its own code), as does @node-rs/argon2 (it loads the prebuilt add-on for
 * the platform it runs on); optional native add-ons stay out.
 */
export default defineConfig({
  entry: { bin: "src/bin.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  noExternal: [/^(?!@electric-sql\/pglite|@node-rs\/argon2)/],
  external: ["@electric-sql/pglite", "@node-rs/argon2", "pg-native", "msgpackr-extract", "bufferutil", "utf-8-validate"],
  splitting: true,
  minifySyntax: true,
  minifyWhitespace: process.env.CLOCKME_BUNDLE_READABLE !== "1",
  keepNames: false,
  banner: { js: requireShim },
  dts: false,
  esbuildPlugins: [docsScriptOnDemand]
})
