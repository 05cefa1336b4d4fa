import { SignIn } from "@clockme/domain/services/SignIn"
import { Accounts } from "@clockme/domain/services/Accounts"
import { Projects } from "@clockme/domain/services/Projects"
import { CurrentActor } from "@clockme/domain/contract/Actor"
import { Config, Console, Effect, Layer } from "effect"
import type { ListenOptions } from "./Http.js"

const OwnerEmail = Config.string("CLOCKME_OWNER_EMAIL").pipe(Config.withDefault("owner@clockme.local"))

const quickstart = (base: string, key: string, projectId: string) => `
ClockMe created the owner account on this new database. Its full-scope API key, shown only this once:

  ${key}

Keep it somewhere safe (clockme-server keys create makes more). Try it:

  curl -X POST ${base}/api/timer/start \\
    -H "Authorization: Bearer ${key}" \\
    -H "Content-Type: application/json" \\
    -d '{"projectName":"my-project","fallbackProjectId":"${projectId}"}'

  curl ${base}/api/timer/current \\
    -H "Authorization: Bearer ${key}"

  curl -X POST ${base}/api/timer/stop \\
    -H "Authorization: Bearer ${key}" \\
    -H "Content-Length: 0"
`

/** The one-time link, with the token after `#` so that it never reaches a server log or a Referer. */
export const passwordLink = (base: string, token: string) => `${base}/set-password#token=${token}`

export const passwordLinkText = (base: string, email: string, token: string) => `
To sign in to the dashboard as ${email}, set a password once at (valid 24 hours, for one use):

  ${passwordLink(base, token)}
`

/** On the first start of an empty database: an owner account, a first project, the key and a set-password link printed once. */
export const BootstrapLive = (listen: ListenOptions) =>
  Layer.effectDiscard(
    Effect.gen(function*() {
      const accounts = yield* Accounts
      const projects = yield* Projects
      const signIn = yield* SignIn
      if ((yield* accounts.count) > 0) return
      const email = yield* OwnerEmail
      const { apiKey, user } = yield* accounts.create({ email, name: "Owner", plan: "team" }).pipe(Effect.orDie)
      const project = yield* projects.create({ name: "my-project" }).pipe(
        Effect.provideService(CurrentActor, {
          userId: user.id,
          workspaceId: user.activeWorkspaceId,
          keyId: apiKey.key.id,
          scope: "full",
          source: "api"
        }),
        Effect.orDie
      )
      const host = listen.host === "0.0.0.0" || listen.host === "::" ? "127.0.0.1" : listen.host
      const base = `http://${host}:${listen.port}`
      yield* Console.log(quickstart(base, apiKey.secret, project.id))
      yield* Console.log(passwordLinkText(base, email, yield* signIn.issueLink(email).pipe(Effect.orDie)))
    })
  )
