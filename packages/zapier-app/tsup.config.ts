import { defineConfig } from "tsup"

/** What `zapier push` uploads: one ES module whose default export is the app; zapier-platform-core stays a dependency. */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  external: ["zapier-platform-core"],
  dts: false
})
