import { CreatedApiKey } from "@clockme/domain/contract/ApiKey"
import { KeyScope } from "@clockme/domain/contract/Actor"
import { DomainServicesLive } from "@clockme/domain/Domain"
import { MigrationsLive, runMigrations } from "@clockme/domain/sql/Database"
import { Accounts } from "@clockme/domain/services/Accounts"
import { PriceTables } from "@clockme/domain/services/PriceTables"
import { RateLimiter } from "@clockme/domain/services/RateLimiter"
import { SignIn } from "@clockme/domain/services/SignIn"
import { Plan, User } from "@clockme/domain/contract/User"
import { Command, Options, ValidationError } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Layer, Logger, Option, Schema } from "effect"
import { passwordLinkText } from "./Bootstrap.js"
import { DatabaseLive } from "./Database.js"
import { reported, serve } from "./Serve.js"

const printJson = (value: unknown) => Console.log(JSON.stringify(value, null, 2))

const AccountOutput = Schema.Struct({ user: User, apiKey: CreatedApiKey })

const CliLive = DomainServicesLive.pipe(
  Layer.provide(RateLimiter.unlimited),
  Layer.provideMerge(MigrationsLive),
  Layer.provideMerge(DatabaseLive)
)

/** Commands other than serve print JSON on stdout for scripts to read: their logs go to stderr. */
const logsToStderr = Logger.replace(Logger.prettyLoggerDefault, Logger.prettyLogger({ stderr: true }))



const email = Options.text("email").pipe(Options.withDescription("the account's email"))

const accountsCreate = Command.make("create", {
  email,
  name: Options.text("name").pipe(Options.optional, Options.withDescription("the account's display name")),
  plan: Options.choice("plan", Plan.literals).pipe(Options.optional, Options.withDescription("rate-limit plan (default free)"))
}, ({ email, name, plan }) =>
  Effect.gen(function*() {
    const accounts = yield* Accounts
    const created = yield* accounts.create({ email, name: Option.getOrUndefined(name), plan: Option.getOrUndefined(plan) })
    yield* printJson(yield* Schema.encode(AccountOutput)(created))
  }).pipe(Effect.provide(CliLive), Effect.provide(logsToStderr), reported)).pipe(
    Command.withDescription("create an account with its personal workspace; prints JSON with its full-scope key")
  )

const accountsSetPassword = Command.make("set-password", {
  email,
  url: Options.text("url").pipe(
    Options.withDefault("http://127.0.0.1:8787"),
    Options.withDescription("the server's address as the browser reaches it")
  )
}, ({ email, url }) =>
  Effect.gen(function*() {
    const signIn = yield* SignIn
    const token = yield* signIn.issueLink(email)
    yield* Console.log(passwordLinkText(url.replace(/\/+$/, ""), email, token))
  }).pipe(Effect.provide(CliLive), Effect.provide(logsToStderr), reported)).pipe(
    Command.withDescription("print a one-time link (24 hours) where the account sets its dashboard password")
  )

const keysCreate = Command.make("create", {
  email,
  scope: Options.choice("scope", KeyScope.literals).pipe(Options.withDefault("full" as const), Options.withDescription("what the key may do")),
  label: Options.text("label").pipe(Options.optional, Options.withDescription("a label to recognize the key by"))
}, ({ email, label, scope }) =>
  Effect.gen(function*() {
    const accounts = yield* Accounts
    const created = yield* accounts.issueKeyFor(email, scope, Option.getOrNull(label))
    yield* printJson(yield* Schema.encode(CreatedApiKey)(created))
  }).pipe(Effect.provide(CliLive), Effect.provide(logsToStderr), reported)).pipe(
    Command.withDescription("create an API key for an existing account; prints JSON with the plaintext key")
  )

const pricesUpdate = Command.make("update", {
  file: Options.file("file", { exists: "yes" }).pipe(
    Options.withDescription("a newer copy of LiteLLM's model_prices_and_context_window.json")
  )
}, ({ file }) =>
  Effect.gen(function*() {
    const text = yield* FileSystem.FileSystem.pipe(Effect.flatMap((fs) => fs.readFileString(file)))
    const prices = yield* PriceTables
    yield* printJson(yield* prices.update(text))
  }).pipe(Effect.provide(CliLive), Effect.provide(logsToStderr), reported)).pipe(
    Command.withDescription("load a newer price table; new requests without a reported cost are priced with it")
  )

const server = Command.make("clockme-server", {}, () => reported(serve)).pipe(
  Command.withDescription(
    "The ClockMe server. Environment: PORT (8787), HOST (127.0.0.1), DATABASE_URL (PostgreSQL; default: embedded), " +
      "CLOCKME_DATA_DIR (.clockme, for the embedded database), CLOCKME_OWNER_EMAIL (first-start owner)."
  ),
  Command.withSubcommands([
    Command.make("serve", {}, () => reported(serve)).pipe(Command.withDescription("start the server (the default)")),
    Command.make("migrate", {}, () =>
      runMigrations.pipe(
        Effect.flatMap((applied) => printJson({ applied: applied.map(([id, name]) => ({ id, name })) })),
        Effect.provide(DatabaseLive),
        Effect.provide(logsToStderr),
        reported
      )).pipe(Command.withDescription("apply pending database migrations and exit")),
    Command.make("accounts").pipe(Command.withDescription("accounts"), Command.withSubcommands([accountsCreate, accountsSetPassword])),
    Command.make("keys").pipe(Command.withDescription("API keys"), Command.withSubcommands([keysCreate])),
    Command.make("prices").pipe(Command.withDescription("AI model prices"), Command.withSubcommands([pricesUpdate]))
  ])
)

/** Every command but the plain `serve`, which bin.ts starts without loading this module. */
export const runCli = (argv: ReadonlyArray<string>) =>
  Command.run(server, { name: "clockme-server", version: "0.1.0" })(argv).pipe(
    Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => void (process.exitCode = 2))),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({ disableErrorReporting: false })
  )
