import { main } from "./main.js"

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    process.stderr.write(`clockme: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = process.argv[2] === "hook" ? 0 : 1
  }
)
