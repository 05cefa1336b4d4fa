import { defineConfig, type Options } from "tsup"

// Bundled CommonJS dependencies call `require`, which an ES module lacks.
const requireShim = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"

const app: Options = {
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: false,
  noExternal: [/./],
  // Minified with names kept: compiling the source is most of a command's start.
  minifySyntax: true,
  minifyWhitespace: process.env.CLOCKME_BUNDLE_READABLE !== "1",
  keepNames: true,
  banner: { js: requireShim },
  dts: false
}

/**
 * Run after `tsc -b`. `--env.types false` skips the declaration bundle (the test setup only needs
 * the JavaScript); `--env.typesOnly true` writes only the declarations, next to a built dist.
 */
export default defineConfig((options) => {
  const library: Options = {
    // The library leaves effect and @effect/platform to the app, so Effect users share one copy;
    // the workspace contract is inlined, JavaScript and declarations alike.
    // setup-records is what the dashboard's setup wizard imports in the browser (no node modules in it).
    entry: { index: "src/index.ts", "setup-records": "src/setup/SetupRecords.ts" },
    format: "esm",
    platform: "node",
    target: "node20",
    outDir: "dist",
    clean: false,
    external: ["effect", "@effect/platform"],
    noExternal: [/^@clockme\//],
    // Bundles the declarations `tsc -b` emitted, so the contract's types need no workspace package.
    dts: options.env?.types === "false" ? false : {
      entry: { index: "build/dts/src/index.d.ts", "setup-records": "build/dts/src/setup/SetupRecords.d.ts" },
      only: options.env?.typesOnly === "true",
      compilerOptions: { composite: false, incremental: false, paths: { "@clockme/domain/*": ["../domain/build/dts/src/*"] } }
    }
  }
  if (options.env?.typesOnly === "true") return [library]
  return [
    library,
    // The CLI is an app in two self-contained files: cli.js holds the hook path, which is all a hook
    // loads, and imports main.js (the full CLI) for every other command.
    { ...app, entry: { cli: "src/cli/bin.ts" }, splitting: false },
    { ...app, entry: { main: "src/cli/Main.ts" }, splitting: false },
    // The hook path alone, which setup copies to the user's own folder (src/cli/HookProgram.ts).
    { ...app, entry: { hook: "src/cli/hookBin.ts" }, splitting: false },
    // The stdio MCP relay, so a client config can name it from this package.
    { ...app, entry: { mcp: "../mcp/src/bin.ts" }, splitting: false }
  ]
})
