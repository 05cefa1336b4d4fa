#!/usr/bin/env node
// The hook path loads only what a hook needs; every other command (and `hook --help`) loads the full CLI.
const args = process.argv.slice(2)
if (args[0] === "hook" && !args.includes("--help") && !args.includes("-h")) {
  const { hookCommand } = await import("./HookCommand.js")
  await hookCommand(args.slice(1))
  process.exitCode = 0
} else {
  const { run } = await import("./Main.js")
  run(args)
}
