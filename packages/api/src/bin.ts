#!/usr/bin/env node
import { CreatedApiKey } from "@clockme/domain/contract/ApiKey"
import { KeyScope } from "@clockme/domain/contract/Actor"
import { DomainServicesLive } from "@clockme/domain/Domain"
import { MigrationsLive, runMigrations } from "@clockme/domain/sql/Database"
import { Accounts } from "@clockme/domain/services/Accounts"
import { RateLimiter } from "@clockme/domain/services/RateLimiter"
import { Plan, User } from "@clockme/domain/contract/User"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Layer, Logger, Schema } from "effect"
import { parseArgs } from "node:util"
import { DatabaseLive } from "./Database.js"
import { ServerLive } from "./Server.js"

const usage = `Usage: clockme-server [command]

Commands:
  serve                                   start the server (default)
  migrate                                 apply pending database migrations and exit
  accounts create --email E [--name N] [--plan free|pro|team]
                                          create an account with its personal workspace and a full-scope key
  keys create --email E [--scope read|write|full] [--label L]
                                          create an API key for an existing account

Environment: PORT (8787), HOST (127.0.0.1), DATABASE_URL (PostgreSQL; default: embedded),
CLOCKME_DATA_DIR (.clockme, for the embedded database), CLOCKME_OWNER_EMAIL (first-start owner).`

class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: "string" },
    name: { type: "string" },
    plan: { type: "string" },
    scope: { type: "string" },
    label: { type: "string" },
    help: { type: "boolean", short: "h" }
  }
})

const decodeOr = <A, I>(schema: Schema.Schema<A, I>, value: unknown, flag: string) =>
  Schema.decodeUnknown(schema)(value).pipe(
    Effect.mapError(() => new UsageError({ message: `--${flag} has an invalid value: ${String(value)}` }))
  )

const requireEmail = values.email === undefined
  ? Effect.fail(new UsageError({ message: "--email is required" }))
  : Effect.succeed(values.email)

const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

const AccountOutput = Schema.Struct({ user: User, apiKey: CreatedApiKey })

const CliLive = DomainServicesLive.pipe(
  Layer.provide(RateLimiter.unlimited),
  Layer.provideMerge(MigrationsLive),
  Layer.provideMerge(DatabaseLive)
)

const serve = Effect.gen(function*() {
  const port = yield* Config.port("PORT").pipe(Config.withDefault(8787))
  const host = yield* Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
  return yield* Layer.launch(ServerLive({ port, host, bootstrap: true }, DatabaseLive))
})

const command: Effect.Effect<unknown, unknown> = (() => {
  const [first = "serve", second] = positionals
  if (values.help) return Console.log(usage)
  switch (`${first} ${second ?? ""}`.trim()) {
    case "serve":
      return serve
    case "migrate":
      return runMigrations.pipe(
        Effect.flatMap((applied) => printJson({ applied: applied.map(([id, name]) => ({ id, name })) })),
        Effect.provide(DatabaseLive)
      )
    case "accounts create":
      return Effect.gen(function*() {
        const email = yield* requireEmail
        const plan = values.plan === undefined ? undefined : yield* decodeOr(Plan, values.plan, "plan")
        const accounts = yield* Accounts
        const created = yield* accounts.create({ email, name: values.name, plan })
        yield* printJson(yield* Schema.encode(AccountOutput)(created))
      }).pipe(Effect.provide(CliLive))
    case "keys create":
      return Effect.gen(function*() {
        const email = yield* requireEmail
        const scope = values.scope === undefined ? "full" : yield* decodeOr(KeyScope, values.scope, "scope")
        const accounts = yield* Accounts
        const created = yield* accounts.issueKeyFor(email, scope, values.label ?? null)
        yield* printJson(yield* Schema.encode(CreatedApiKey)(created))
      }).pipe(Effect.provide(CliLive))
    default:
      return Effect.fail(new UsageError({ message: `Unknown command "${positionals.join(" ")}"\n\n${usage}` }))
  }
})()

/** Commands other than serve print JSON on stdout for scripts to read: their logs go to stderr. */
const logsToStderr = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  (positionals[0] ?? "serve") === "serve"
    ? effect
    : Effect.provide(effect, Logger.replace(Logger.prettyLoggerDefault, Logger.prettyLogger({ stderr: true })))

command.pipe(
  logsToStderr,
  Effect.catchAll((error) =>
    Console.error(`clockme-server: ${error instanceof Error ? error.message : String(error)}`).pipe(
      Effect.zipRight(Effect.sync(() => {
        process.exitCode = 1
      }))
    )
  ),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
