// Bundles the SDK and the CLI so the package carries the contract code and needs only effect and
// @effect/platform at run time (no database driver, no server), then bundles the type declarations.
import { build } from "esbuild"
import { rm } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { rollup } from "rollup"
import { dts } from "rollup-plugin-dts"

const root = dirname(fileURLToPath(import.meta.url))
const outdir = process.argv[2] ?? join(root, "dist")
const external = ["effect", "effect/*", "@effect/platform", "@effect/platform/*"]

await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: { index: join(root, "src/index.ts"), cli: join(root, "src/cli/bin.ts") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: "" },
  legalComments: "none",
  logLevel: "warning"
})
const { readFile, writeFile, chmod } = await import("node:fs/promises")
const cli = join(outdir, "cli.js")
await writeFile(cli, "#!/usr/bin/env node\n" + (await readFile(cli, "utf8")))
await chmod(cli, 0o755)

if (!process.argv.includes("--no-types")) {
  const bundle = await rollup({
    input: join(root, "src/index.ts"),
    external: (id) => external.some((e) => e.endsWith("/*") ? id.startsWith(e.slice(0, -1)) : id === e),
    plugins: [dts({ respectExternal: true, tsconfig: join(root, "tsconfig.json"), compilerOptions: { composite: false, incremental: false } })]
  })
  await bundle.write({ file: join(outdir, "index.d.ts"), format: "es" })
  await bundle.close()
}
