import { Effect } from "effect"
import { Console as NodeConsole } from "node:console"
import { Writable } from "node:stream"
import { main } from "../../src/cli/Main.js"
import type { Run } from "./Cli.js"

const collect = () => {
  let text = ""
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk)
      done()
    }
  })
  return { stream, text: () => text }
}

/**
 * `clockme <args>` run in this process, with `env` and `cwd` as a spawned CLI would have them, for the
 * many setup cases whose subject is the files written, not the process: stdout, stderr and the exit code
 * as `runCli` reports them. Everything changed is put back afterwards, even on failure. A few end-to-end
 * spawns of the built CLI stay in the tests that use it.
 */
export const runInProcess = async (
  args: ReadonlyArray<string>,
  options: { readonly env: Record<string, string | undefined>; readonly cwd?: string }
): Promise<Run> => {
  const started = Date.now()
  const saved = { env: { ...process.env }, cwd: process.cwd(), console: globalThis.console, write: process.stdout.write, exitCode: process.exitCode }
  const out = collect()
  const err = collect()
  try {
    for (const name of Object.keys(process.env)) {
      if (/^(CLOCKME_|CLAUDE_|CURSOR_|GEMINI_)/.test(name)) delete process.env[name]
    }
    for (const [name, value] of Object.entries(options.env)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    if (options.cwd !== undefined) process.chdir(options.cwd)
    process.exitCode = 0
    globalThis.console = new NodeConsole({ stdout: out.stream, stderr: err.stream })
    process.stdout.write = ((chunk: string | Uint8Array) => out.stream.write(chunk)) as typeof process.stdout.write
    await Effect.runPromise(main(args))
    return { code: Number(process.exitCode ?? 0), stdout: out.text(), stderr: err.text(), ms: Date.now() - started }
  } finally {
    process.stdout.write = saved.write
    globalThis.console = saved.console
    process.exitCode = saved.exitCode
    process.chdir(saved.cwd)
    for (const name of Object.keys(process.env)) if (!(name in saved.env)) delete process.env[name]
    Object.assign(process.env, saved.env)
  }
}
