#!/usr/bin/env node
// A hook loads this one file: the hook path is bundled into it, and the full CLI (every other command,
// and `hook --help`) is a separate bundle imported on demand.
import { hookCommand } from "./HookCommand.js"
import type * as Main from "./Main.js"

const args = process.argv.slice(2)
if (args[0] === "hook" && !args.includes("--help") && !args.includes("-h")) {
  await hookCommand(args.slice(1))
  process.exitCode = 0
} else {
  // Not a literal, so the bundler leaves the full CLI in its own file (dist/main.js).
  const main: typeof Main = await import(new URL("./main.js", import.meta.url).href)
  main.run(args)
}
