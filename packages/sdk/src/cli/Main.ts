import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Option } from "effect"
import { ClockMeError } from "../Errors.js"
import * as Actions from "./Actions.js"
import { HOOK_EVENTS } from "./Hook.js"
import { TOOLS } from "../setup/ToolRecords.js"

const optional = <A>(option: Options.Options<A>) => option.pipe(Options.optional, Options.map(Option.getOrUndefined))

const common = {
  json: Options.boolean("json").pipe(Options.withDescription("machine-readable output")),
  url: optional(Options.text("url").pipe(Options.withDescription("the ClockMe server (else CLOCKME_URL, then the config file)"))),
  key: optional(Options.text("key").pipe(Options.withDescription("an API key, ck_live_… (else CLOCKME_API_KEY, then the config file)")))
}

/** A positional argument with a fixed set of values, whose refusal names the argument and the value. */
const oneOf = <A extends string>(name: string, values: ReadonlyArray<A>) =>
  Args.text({ name }).pipe(
    Args.mapEffect((value) =>
      (values as ReadonlyArray<string>).includes(value)
        ? Effect.succeed(value as A)
        : Effect.fail(HelpDoc.p(`<${name}>: "${value}" is not one of ${values.join(", ")}`))
    )
  )

const tool = oneOf("tool", TOOLS).pipe(Args.withDescription(`the AI coding tool: ${TOOLS.join(", ")}`))
const project = Args.text({ name: "project" }).pipe(
  Args.withDescription("a project name (default: this folder's git repository or folder name)"),
  Args.optional,
  Args.map(Option.getOrUndefined)
)
const message = optional(Options.text("message").pipe(Options.withAlias("m"), Options.withDescription("a description")))

/** Runs an action: its exit code, usage mistakes as 2, server errors with their code as 1. */
const action = (run: () => Promise<number>) =>
  Effect.tryPromise({ try: run, catch: (error) => error }).pipe(
    Effect.catchAll((error) => {
      const [code, line] = error instanceof Actions.UsageError
        ? [2, `clockme: ${error.message} (see clockme --help)`]
        : error instanceof ClockMeError
        ? [1, `clockme: ${error.message}${error.code ? ` [${error.code}]` : ""}`]
        : [1, `clockme: ${error instanceof Error ? error.message : String(error)}`]
      return Console.error(line).pipe(Effect.as(code))
    }),
    Effect.flatMap((code) => Effect.sync(() => void (process.exitCode = code)))
  )

const setup = Command.make("setup", {
  ...common,
  tool,
  uninstall: Options.boolean("uninstall").pipe(Options.withDescription("remove exactly what setup added, and the hook program once no tool runs it")),
  projectScope: Options.boolean("project-scope").pipe(Options.withDescription("write this project's files instead of your user's")),
  fallbackProject: optional(Options.text("fallback-project").pipe(Options.withDescription("the project id used when no project matches the folder"))),
  autoCreate: Options.boolean("auto-create").pipe(Options.withDescription("create a project named after the folder when none matches (the default)")),
  dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the diff, write nothing")),
  command: optional(Options.text("command").pipe(Options.withDescription("the command hooks run (default: the hook program setup copies to ~/.clockme/bin, or $CLOCKME_HOME/bin)"))),
  removeOldHooks: Options.boolean("remove-old-hooks").pipe(
    Options.withDescription("when the ClockMe plugin is installed for the tool, remove what an earlier setup wrote without asking (the plugin's hooks would count each session twice beside them)")
  )
}, (input) => action(() => Actions.setup(input))).pipe(
  Command.withDescription("add the MCP entry and hook commands to the tool's own settings, with a backup and a printed diff; the hooks run one program per user (~/.clockme/bin/clockme-hook), the same whichever install ran setup")
)

const hook = Command.make("hook", {
  event: oneOf("event", HOOK_EVENTS).pipe(Args.withDescription(`the event: ${HOOK_EVENTS.join(", ")}`)),
  tool: Options.text("tool").pipe(Options.withDefault("claude-code"), Options.withDescription("the tool that runs the hook")),
  autoCreate: Options.boolean("auto-create"),
  fallbackProject: optional(Options.text("fallback-project"))
}, (input) =>
  Effect.promise(async () => {
    const { hookCommand } = await import("./HookCommand.js")
    await hookCommand([input.event, "--tool", input.tool, ...(input.autoCreate ? ["--auto-create"] : []), ...(input.fallbackProject ? ["--fallback-project", input.fallbackProject] : [])])
  })).pipe(Command.withDescription("run by the tools: reads their JSON on stdin, never fails, prints nothing, queues while the server is away"))

const timerCommand = (name: "start" | "stop" | "pause" | "resume", description: string) =>
  Command.make(name, {
    ...common,
    project,
    ...(name === "start"
      ? { create: Options.boolean("create").pipe(Options.withDescription("create the project when none matches")), message }
      : {})
  }, (input) => action(() => Actions.timer(name, { create: false, message: undefined, ...input }))).pipe(Command.withDescription(description))

const log = Command.make("log", {
  ...common,
  project: Args.text({ name: "project" }),
  duration: Args.text({ name: "duration" }).pipe(Args.withDescription("1h30m, 90m, 1.5h, 45 (minutes) or 1:30")),
  at: optional(Options.text("at").pipe(Options.withDescription("when it started: 09:00 today, or a date-time"))),
  message,
  billable: optional(Options.boolean("billable", { negationNames: ["no-billable"] }))
}, (input) => action(() => Actions.logTime(input))).pipe(Command.withDescription("log time after the fact, e.g. clockme log acme 1h30m --at 09:00"))

const report = Command.make("report", {
  ...common,
  from: optional(Options.text("from").pipe(Options.withDescription("YYYY-MM-DD"))),
  to: optional(Options.text("to").pipe(Options.withDescription("YYYY-MM-DD"))),
  csv: Options.boolean("csv")
}, (input) => action(() => Actions.report(input))).pipe(Command.withDescription("hours and amounts per project"))

const clockme = Command.make("clockme").pipe(
  Command.withDescription("time tracking for AI coding tools"),
  Command.withSubcommands([
    setup,
    hook,
    timerCommand("start", "start a timer"),
    timerCommand("stop", "stop a timer"),
    timerCommand("pause", "pause a timer"),
    timerCommand("resume", "resume a paused timer"),
    Command.make("status", common, (input) => action(() => Actions.status(input))).pipe(Command.withDescription("running timers and queued hook events")),
    log,
    report,
    Command.make("login", common, (input) => action(() => Actions.login(input))).pipe(
      Command.withDescription("store the server URL and API key ($XDG_CONFIG_HOME/clockme/config.json, mode 0600)")
    ),
    Command.make("doctor", common, (input) => action(() => Actions.doctor(input))).pipe(
      Command.withDescription("check each tool's MCP entry and hooks, the hook program, the key, the server and the queue; prints the command that fixes each problem")
    ),
    Command.make("sync", common, (input) => action(() => Actions.sync(input))).pipe(
      Command.withDescription("send hook events queued while the server was unreachable")
    )
  ])
)

const cli = Command.run(clockme, { name: "clockme", version: "0.1.0" })

/** One command line as an effect, its exit code left in `process.exitCode` (tests run it in-process). */
export const main = (args: ReadonlyArray<string>) =>
  cli([process.argv[0]!, process.argv[1]!, ...args]).pipe(
    Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => void (process.exitCode = 2))),
    Effect.provide(NodeContext.layer)
  )

/** The whole CLI; `clockme hook` normally never gets here (bin.ts takes the light path). */
export const run = (args: ReadonlyArray<string>): void =>
  main(args).pipe(NodeRuntime.runMain({ disableErrorReporting: false, disablePrettyLogger: true }))
