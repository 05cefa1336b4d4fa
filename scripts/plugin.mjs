#!/usr/bin/env node
// `npm run plugin`: writes the plugin and extension files (packages/sdk/src/cli/Plugin.ts) from the records and
// the freshly bundled hook program. Run it after changing either, and commit what it writes: hosts install
// the plugin from git, and a test (packages/sdk/test/plugin.test.ts) fails while the committed copies differ.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { pluginFiles } from "../packages/sdk/src/cli/Plugin.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const sdk = join(root, "packages", "sdk")
const bundle = readFileSync(join(sdk, "dist", "hook.js"), "utf8")
const { version } = JSON.parse(readFileSync(join(sdk, "package.json"), "utf8"))
for (const [file, content] of Object.entries(pluginFiles(bundle, version))) {
  mkdirSync(dirname(join(root, file)), { recursive: true })
  writeFileSync(join(root, file), content)
  console.log(`wrote ${file}`)
}
