#!/usr/bin/env node
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
