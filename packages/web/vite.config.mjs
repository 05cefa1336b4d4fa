import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"

/**
 * Built into the server's own dist/web (beside dist/bin.js), so `npm start`, the built bin from any folder
 * and the published clockme-server package all find it next to the code that serves it.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // from source: the SDK's bundle is built after the server's, which builds this
  resolve: { alias: { "@clockme/sdk/setup-records": fileURLToPath(new URL("../sdk/src/setup/SetupRecords.ts", import.meta.url)) } },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: fileURLToPath(new URL("../api/dist/web", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    // the polyfill would be an inline script, which the page's CSP refuses
    modulePreload: { polyfill: false },
    reportCompressedSize: true
  }
})
