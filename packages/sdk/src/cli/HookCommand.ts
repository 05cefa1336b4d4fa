import { parseArgs } from "node:util"
import { budgetMs, HOOK_EVENTS, type HookEvent, runHook } from "./Hook.js"
import { readStdin } from "./Stdin.js"

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
