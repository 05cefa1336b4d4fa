import { defineConfig } from "tsup"

// Bundled CommonJS dependencies call `require`, which an ES module lacks.
const requireShim = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

/**
 * The server is one file: a bundle starts in a fraction of the time Node takes to resolve and
 * load hundreds of modules. PGlite stays a dependency (it loads its WebAssembly and data files
 * next to its own code); optional native add-ons stay out.
 */
export default defineConfig({
  entry: { bin: "src/bin.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  noExternal: [/^(?!@electric-sql\/pglite)/],
  external: ["@electric-sql/pglite", "pg-native", "msgpackr-extract", "bufferutil", "utf-8-validate"],
  minifySyntax: true,
  banner: { js: requireShim },
  dts: false
})
