#!/usr/bin/env node
import { setFlagsFromString } from "node:v8"

// `clockme-server` and `clockme-server serve` start the server without loading the command-line parser;
// every other command (help, migrate, accounts, keys, completions) goes through it.
const args = process.argv.slice(2)
if (args.length === 0 || (args.length === 1 && args[0] === "serve")) {
  const { runServe } = await import("./Serve.js")
  runServe()
} else {
  // A command runs a few queries and exits: the embedded database's WebAssembly stays on V8's baseline
  // compiler instead of optimizing its hot functions in the background, which cost more CPU than it saved.
  setFlagsFromString("--liftoff-only")
  const { runCli } = await import("./Cli.js")
  runCli(process.argv)
}
