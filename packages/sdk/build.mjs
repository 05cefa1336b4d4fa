// Bundles the SDK and the CLI so the package carries the contract code and needs only effect and
// @effect/platform at run time (no database driver, no server), then bundles the type declarations.
import { build } from "esbuild"
import { rm } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(fileURLToPath(import.meta.url))
const outdir = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? join(root, "dist")
const external = ["effect", "effect/*", "@effect/platform", "@effect/platform/*"]

await rm(outdir, { recursive: true, force: true })
const shared = { bundle: true, format: "esm", platform: "node", target: "node20", legalComments: "none", logLevel: "warning" }
// The library leaves effect and @effect/platform to the app, so Effect users share one copy.
await build({ ...shared, entryPoints: { index: join(root, "src/index.ts") }, outdir, external })
// The CLI is an app: one self-contained, tree-shaken file starts fast, which hooks need.
await build({
  ...shared,
  entryPoints: { cli: join(root, "src/cli/bin.ts") },
  outdir,
  minifySyntax: true,
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" }
})
const { readFile, writeFile, chmod } = await import("node:fs/promises")
// esbuild keeps the entry's own code in cli.js; the shebang makes it the package's bin
const cli = join(outdir, "cli.js")
await writeFile(cli, "#!/usr/bin/env node\n" + (await readFile(cli, "utf8")))
await chmod(cli, 0o755)

if (!process.argv.includes("--no-types")) await bundleTypes()

/**
 * Type declarations: tsc's output for the SDK, the contract modules of @clockme/domain it reaches,
 * and the declarations of @effect/sql's Model (with what it imports from @effect/sql and
 * @effect/experimental), each rewritten to relative paths so the package needs no other types
 * than effect's and @effect/platform's.
 */
async function bundleTypes() {
  const { execFileSync } = await import("node:child_process")
  const { mkdir, copyFile } = await import("node:fs/promises")
  const { existsSync } = await import("node:fs")
  const { relative, normalize } = await import("node:path")
  const repo = join(root, "..", "..")
  execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-b", join(root, "tsconfig.json")], { stdio: "inherit" })
  const sources = {
    sdk: join(root, "build", "dts", "src"),
    domain: join(repo, "packages", "domain", "build", "dts", "src"),
    "@effect/sql": join(repo, "node_modules", "@effect", "sql", "dist", "dts"),
    "@effect/experimental": join(repo, "node_modules", "@effect", "experimental", "dist", "dts")
  }
  const outputs = {
    sdk: join(outdir, "types", "sdk"),
    domain: join(outdir, "types", "domain"),
    "@effect/sql": join(outdir, "types", "vendor", "effect-sql"),
    "@effect/experimental": join(outdir, "types", "vendor", "effect-experimental")
  }
  const seen = new Map()
  const queue = [["sdk", "index.d.ts"]]
  while (queue.length > 0) {
    const [pkg, rel] = queue.pop()
    const key = `${pkg}:${rel}`
    if (seen.has(key)) continue
    const file = join(sources[pkg], rel)
    let text = (await readFile(file, "utf8")).replace(/^\/\/# sourceMappingURL=.*$/m, "")
    const outFile = join(outputs[pkg], rel)
    text = text.replace(/((?:from|import)\s*\(?\s*)"([^"]+)"/g, (whole, lead, spec) => {
      let target
      if (spec.startsWith(".")) target = [pkg, normalize(join(dirname(rel), spec)).replace(/\.js$/, ".d.ts")]
      else if (spec.startsWith("@clockme/domain/")) target = ["domain", spec.slice("@clockme/domain/".length) + ".d.ts"]
      else {
        const vendor = ["@effect/sql", "@effect/experimental"].find((v) => spec === v || spec.startsWith(v + "/"))
        if (vendor) target = [vendor, spec === vendor ? "index.d.ts" : spec.slice(vendor.length + 1) + ".d.ts"]
      }
      if (target === undefined) return whole
      queue.push(target)
      let path = relative(dirname(outFile), join(outputs[target[0]], target[1])).replace(/\.d\.ts$/, ".js").split("\\").join("/")
      if (!path.startsWith(".")) path = "./" + path
      return `${lead}"${path}"`
    })
    seen.set(key, true)
    await mkdir(dirname(outFile), { recursive: true })
    await writeFile(outFile, text)
  }
  for (const [pkg, dir] of [["@effect/sql", "effect-sql"], ["@effect/experimental", "effect-experimental"]]) {
    const license = join(repo, "node_modules", pkg, "LICENSE")
    if (existsSync(license) && existsSync(join(outdir, "types", "vendor", dir))) await copyFile(license, join(outdir, "types", "vendor", dir, "LICENSE"))
  }
  await writeFile(join(outdir, "index.d.ts"), 'export * from "./types/sdk/index.js"\n')
  await writeFile(join(outdir, "cli.d.ts"), "export {}\n")
}
