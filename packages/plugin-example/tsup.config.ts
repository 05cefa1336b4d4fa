import { defineConfig } from "tsup"

/**
 * A plugin ships as JavaScript that the server imports by name at start. The server's port (domain's
 * contract) and helpers are bundled in; `effect` is the server's own, so it stays a peer.
 */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  noExternal: [/^@clockme\//],
  external: [/^effect(\/|$)/, /^@effect\//],
  dts: false
})
