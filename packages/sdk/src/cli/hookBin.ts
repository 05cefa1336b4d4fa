// The hook program setup copies to ~/.clockme/bin/clockme-hook.mjs (HookProgram.ts): the hook path alone,
// one self-contained file that outlives the install that copied it.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { hookCommand } from "./HookCommand.js"

const args = process.argv.slice(2)
if (args[0] === "hook") {
  await hookCommand(args.slice(1))
  process.exitCode = 0
} else if (args[0] === "--version") {
  // The first line setup wrote: `// clockme-hook <version>`.
  const first = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n", 1)[0]!
  process.stdout.write(`${first.replace(/^\/\/ /, "")}\n`)
} else {
  process.stderr.write("usage: clockme-hook hook <session-start|prompt|stop|session-end> --tool <tool>\n")
  process.exitCode = 2
}
