import { parseArgs } from "node:util"
import { budgetMs, HOOK_EVENTS, type HookEvent, runHook } from "./Hook.js"

const readStdin = (limitMs: number): Promise<string> => {
  if (process.stdin.isTTY) return Promise.resolve("")
  return new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const done = () => {
      clearTimeout(timer)
      process.stdin.removeAllListeners()
      process.stdin.pause()
      resolve(Buffer.concat(chunks).toString("utf8"))
    }
    const timer = setTimeout(done, limitMs)
    process.stdin.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > 1_000_000) done()
    })
    process.stdin.on("end", done)
    process.stdin.on("error", done)
  })
}

/**
 * `clockme hook <event> --tool <tool>`: what the tools run. Always exits 0 and writes nothing to
 * stdout, within the event's time budget.
 */
export const hookCommand = async (args: ReadonlyArray<string>): Promise<void> => {
  const event = args[0] as HookEvent
  const known = HOOK_EVENTS.includes(event)
  setTimeout(() => process.exit(0), (known ? budgetMs(event) : 1000) + 100).unref()
  try {
    if (!known) return
    const { values } = parseArgs({
      args: args.slice(1),
      options: { tool: { type: "string", default: "claude-code" }, "auto-create": { type: "boolean", default: false }, "fallback-project": { type: "string" } },
      strict: false
    })
    await runHook({
      event,
      tool: String(values.tool),
      autoCreate: values["auto-create"] === true,
      fallbackProject: typeof values["fallback-project"] === "string" ? values["fallback-project"] : undefined,
      stdin: await readStdin(300)
    })
  } catch {
    // a hook never fails the tool
  }
}
