#!/usr/bin/env node
import { setFlagsFromString } from "node:v8"

// The embedded database is PostgreSQL compiled to WebAssembly. V8's optimizing tier recompiles its hot
// functions in the background, which on a small machine cost more CPU and memory than the faster code
// saved: with the baseline compiler alone a one-shot command took 2.4 instead of 3.0 s, and a fresh server
// answered its first 3,600 requests in 29 instead of 35 s, the same pace after 9,000, with 70 MB less
// memory. A server on PostgreSQL loads no WebAssembly, so the flag changes nothing there.
setFlagsFromString("--liftoff-only")

// `clockme-server` and `clockme-server serve` start the server without loading the command-line parser;
// every other command (help, migrate, accounts, keys, completions) goes through it.
const args = process.argv.slice(2)
if (args.length === 0 || (args.length === 1 && args[0] === "serve")) {
  const { runServe } = await import("./Serve.js")
  runServe()
} else {
  const { runCli } = await import("./Cli.js")
  runCli(process.argv)
}
