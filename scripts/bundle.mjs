#!/usr/bin/env node
// `npm run bundle`: builds the server and CLI bundles the bins and the spawned-process tests run,
// unless they were built from exactly the current sources and build settings (a stamp of their content), so that
// `npm install` followed by `npm test` bundles once. `--force` always builds. The server's build includes the
// dashboard's (packages/web, by Vite into packages/api/dist/web).
import { execSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const packages = readdirSync(join(root, "packages"))

const inputs = [
  "package-lock.json",
  "tsconfig.base.json",
  ...packages.flatMap((name) =>
    ["package.json", "tsconfig.json", "tsup.config.ts", "vite.config.mjs", "index.html", "src", "scripts"].map((part) => `packages/${name}/${part}`)
  )
]
const outputs = [
  "packages/api/dist/bin.js",
  "packages/api/dist/pgdata-seed.tar.gz",
  "packages/api/dist/web/index.html",
  "packages/sdk/dist/index.js",
  "packages/sdk/dist/cli.js",
  "packages/sdk/dist/main.js",
  "packages/sdk/dist/hook.js",
  "packages/sdk/dist/mcp.js",
  "packages/plugin-example/dist/index.js"
]
const stampFile = join(root, "node_modules", ".cache", "clockme-bundle", "stamp")

const fingerprint = () => {
  const hash = createHash("sha256").update(process.version).update(process.env.CLOCKME_BUNDLE_READABLE ?? "")
  const add = (relative) => {
    const path = join(root, relative)
    if (!existsSync(path)) return
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(`${relative}/${name}`)
    } else {
      hash.update(relative).update("\0").update(readFileSync(path)).update("\0")
    }
  }
  for (const input of inputs) add(input)
  return hash.digest("hex")
}

const current = fingerprint()
const fresh = !process.argv.includes("--force") &&
  outputs.every((output) => existsSync(join(root, output))) &&
  existsSync(stampFile) && readFileSync(stampFile, "utf8") === current
if (fresh) {
  console.log("bundle: up to date with the sources")
} else {
  execSync("npm run build -w @clockme/api && npm run bundle -w @clockme/sdk && npm run build -w @clockme/plugin-example", {
    cwd: root,
    stdio: "inherit"
  })
  mkdirSync(dirname(stampFile), { recursive: true })
  writeFileSync(stampFile, current)
}
