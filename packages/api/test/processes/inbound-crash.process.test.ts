import { afterAll, describe, expect, it } from "@effect/vitest"
import { createHmac, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import { inject } from "vitest"
import { allEntries, ownerKey, pause, postgresDatabase, request, startServer, tempDataDir } from "../lib/Process.js"
import type { RunningServer } from "../lib/Process.js"

/**
 * The built server with the example plugin loaded by name, then with GitHub, Linear and Slack: webhooks
 * answered and then the server killed before its delivery fiber came round; after a restart the stored
 * deliveries are processed, once.
 */
describe("an inbound delivery survives a crash between the answer and the processing", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })
  /** A secret key, the settings given, and on PostgreSQL a database of its own. */
  const environment = async (name: string, settings: Record<string, string>) => {
    const env: Record<string, string> = { CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"), ...settings }
    if (!serverUrl) return env
    const database = await postgresDatabase(serverUrl, inject("pgTemplate"), name)
    cleanups.push(database.drop)
    return { ...env, DATABASE_URL: database.url }
  }

  it("SIGKILL after the 202, restart: the entry is logged once, a redelivery adds nothing", async () => {
    const dataDir = tempDataDir("inbound-crash")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    const env = await environment("inbound_crash", { CLOCKME_INTEGRATIONS: "webhooks,zapier,example" })
    // the fiber's first round runs at start, the next one in ten minutes: nothing processes the delivery meanwhile
    let server: RunningServer | undefined = await startServer(dataDir, 120_000, { ...env, CLOCKME_DELIVERY_INTERVAL_MS: "600000" })
    cleanups.push(() => server?.stop("SIGKILL") ?? Promise.resolve())
    const key = ownerKey(server)
    const connection = await request(server.base, "POST", "/api/integrations", {
      key,
      body: { integration: "example", config: { url: "https://93.184.216.34/hook" }, secrets: { token: "t0ps3cret" } }
    })
    expect(connection.status).toBe(201)
    const project = await request(server.base, "POST", "/api/projects", { key, body: { name: "crash-inbound" } })
    const me = await request(server.base, "GET", "/api/me", { key })
    const command = {
      user: "gh-ada",
      email: me.body.user.email,
      log: { projectId: project.body.id, startTime: "2026-06-01T09:00:00Z", durationMinutes: 25, description: "crash" }
    }
    const send = (base: string) =>
      request(base, "POST", `/api/integrations/example/inbound/${connection.body.id}/command`, {
        body: command,
        headers: {
          "x-example-signature": createHmac("sha256", "t0ps3cret").update(JSON.stringify(command)).digest("hex"),
          "x-example-delivery": "crash-1"
        }
      })
    const accepted = await send(server.base)
    expect(accepted.status).toBe(202)
    await pause(1_000)
    expect(await allEntries(server.base, key)).toHaveLength(0)
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")

    server = await startServer(dataDir, 120_000, env)
    let entries: Array<any> = []
    for (let i = 0; i < 100 && entries.length === 0; i++) {
      await pause(200)
      entries = await allEntries(server.base, key)
    }
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ description: "crash", durationSeconds: 1500, source: "integration" })
    const again = await send(server.base)
    expect(again.body).toEqual({ deliveryId: accepted.body.deliveryId, duplicate: true })
    await pause(2_000)
    expect(await allEntries(server.base, key)).toHaveLength(1)
    const log = await request(server.base, "GET", `/api/integrations/${connection.body.id}/deliveries`, { key })
    expect(log.body).toHaveLength(1)
    expect(log.body[0]).toMatchObject({ id: accepted.body.deliveryId, state: "delivered", attempts: 1 })
  }, 300_000)
  it("GitHub, Linear and Slack: SIGKILL after each answered, restart: each acts once, Slack's answer is posted once", async () => {
    const dataDir = tempDataDir("provider-crash")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    // the providers' stand-in on loopback: Slack's response_url, and the APIs the plugins would call
    const received: Array<{ path: string; body: string }> = []
    const standIn = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        received.push({ path: req.url ?? "", body: Buffer.concat(chunks).toString("utf8") })
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise((resolve) => standIn.close(resolve)))
    const stand = `http://127.0.0.1:${(standIn.address() as { port: number }).port}`
    const env = await environment("provider_crash", {
      CLOCKME_INTEGRATIONS: "webhooks,zapier,github,linear,slack",
      CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "true",
      CLOCKME_GITHUB_API_URL: `${stand}/gh`,
      CLOCKME_LINEAR_API_URL: `${stand}/graphql`,
      CLOCKME_SLACK_API_URL: `${stand}/slack/`
    })
    let server: RunningServer | undefined = await startServer(dataDir, 120_000, { ...env, CLOCKME_DELIVERY_INTERVAL_MS: "600000" })
    cleanups.push(() => server?.stop("SIGKILL") ?? Promise.resolve())
    const key = ownerKey(server)
    const email = (await request(server.base, "GET", "/api/me", { key })).body.user.email
    const project = async (name: string) => (await request(server!.base, "POST", "/api/projects", { key, body: { name } })).body.id
    const connect = async (integration: string, config: unknown, secrets: unknown, externalId: string) => {
      const created = await request(server!.base, "POST", "/api/integrations", { key, body: { integration, config, secrets } })
      expect(created.status).toBe(201)
      const mapped = await request(server!.base, "POST", `/api/integrations/${created.body.id}/identities`, { key, body: { externalId, email } })
      expect(mapped.status).toBe(200)
      return created.body.id as string
    }
    const github = await connect("github", { repositories: { "acme/web": await project("gh-crash") } }, { webhookSecret: "gh-s" }, "octocat")
    const linear = await connect("linear", { teams: { ENG: await project("lin-crash") } }, { webhookSecret: "lin-s" }, "lin-1")
    const slack = await connect("slack", {}, { signingSecret: "slack-s" }, "U1")
    await project("slack-crash")

    const comment = JSON.stringify({
      action: "created",
      issue: { number: 7 },
      comment: { body: "/clockme 25m crash", created_at: "2026-06-01T12:00:00Z", user: { login: "octocat" } },
      repository: { full_name: "acme/web" }
    })
    const issue = JSON.stringify({
      action: "update",
      type: "Issue",
      updatedFrom: { stateId: "before" },
      data: { id: "issue-1", identifier: "ENG-1", title: "Crash", projectId: null, state: { type: "started" }, assignee: { id: "lin-1" } },
      webhookTimestamp: Date.now()
    })
    const form = new URLSearchParams({ command: "/clockme", text: "start slack-crash", user_id: "U1", response_url: `${stand}/respond` }).toString()
    const slackTimestamp = String(Math.floor(Date.now() / 1000))
    const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex")
    const send = (base: string) =>
      Promise.all([
        request(base, "POST", `/api/integrations/github/inbound/${github}/webhook`, {
          rawBody: comment,
          headers: {
            "content-type": "application/json",
            "x-github-event": "issue_comment",
            "x-github-delivery": "gh-crash-1",
            "x-hub-signature-256": `sha256=${hmac("gh-s", comment)}`
          }
        }),
        request(base, "POST", `/api/integrations/linear/inbound/${linear}/webhook`, {
          rawBody: issue,
          headers: { "content-type": "application/json", "linear-delivery": "lin-crash-1", "linear-signature": hmac("lin-s", issue) }
        }),
        request(base, "POST", `/api/integrations/slack/inbound/${slack}/commands`, {
          rawBody: form,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": slackTimestamp,
            "x-slack-signature": `v0=${hmac("slack-s", `v0:${slackTimestamp}:${form}`)}`
          }
        })
      ])
    const timers = async (base: string) => (await request(base, "GET", "/api/timer/current", { key })).body.timers as Array<any>
    const answers = () => received.filter((r) => r.path === "/respond").map((r) => JSON.parse(r.body).text)

    const accepted = await send(server.base)
    expect(accepted.map((reply) => reply.status)).toEqual([202, 202, 200])
    await pause(1_000)
    expect(await allEntries(server.base, key)).toHaveLength(0)
    expect(await timers(server.base)).toHaveLength(0)
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")

    server = await startServer(dataDir, 120_000, env)
    for (let i = 0; i < 100 && (answers().length === 0 || (await allEntries(server.base, key)).length === 0 || (await timers(server.base)).length < 2); i++) {
      await pause(200)
    }
    const again = await send(server.base)
    expect(again.map((reply) => reply.body.duplicate)).toEqual([true, true, true])
    await pause(2_000)
    expect((await allEntries(server.base, key)).map((e) => [e.description, e.durationSeconds, e.source]))
      .toEqual([["acme/web#7 crash", 1500, "integration"]])
    expect((await timers(server.base)).map((t) => [t.projectName, t.description]).sort())
      .toEqual([["lin-crash", "ENG-1"], ["slack-crash", null]])
    expect(answers()).toEqual(["Started your timer on slack-crash"])
    for (const id of [github, linear, slack]) {
      const log = await request(server.base, "GET", `/api/integrations/${id}/deliveries`, { key })
      expect(log.body.map((d: any) => [d.state, d.attempts])).toEqual([["delivered", 1]])
    }
  }, 300_000)

  it("GitHub's merged-PR comment: SIGKILL while GitHub holds its answer, restart: the comment is found by its marker, not posted again", async () => {
    const dataDir = tempDataDir("github-comment-crash")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    // GitHub on loopback: lists the PR's comments; makes each posted one, and never answers the first
    const calls: Array<{ method: string; path: string }> = []
    const comments: Array<{ id: number; body: string }> = []
    const standIn = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        calls.push({ method: req.method ?? "", path: req.url ?? "" })
        if (req.method === "GET") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(comments))
        const made = { id: comments.length + 1, body: JSON.parse(Buffer.concat(chunks).toString("utf8")).body as string }
        comments.push(made)
        if (made.id > 1) res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(made))
      })
    })
    await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise((resolve) => { standIn.closeAllConnections(); standIn.close(resolve) }))
    const env = await environment("github_comment_crash", {
      CLOCKME_INTEGRATIONS: "webhooks,zapier,github",
      CLOCKME_GITHUB_API_URL: `http://127.0.0.1:${(standIn.address() as { port: number }).port}`,
      // the killed server's lease on the delivery runs out soon after the restart
      CLOCKME_DELIVERY_LEASE_SECONDS: "5"
    })
    let server: RunningServer | undefined = await startServer(dataDir, 120_000, env)
    cleanups.push(() => server?.stop("SIGKILL") ?? Promise.resolve())
    const key = ownerKey(server)
    const email = (await request(server.base, "GET", "/api/me", { key })).body.user.email
    const project = (await request(server.base, "POST", "/api/projects", { key, body: { name: "gh-merge-crash" } })).body.id
    const created = await request(server.base, "POST", "/api/integrations", {
      key,
      body: { integration: "github", config: { repositories: { "acme/web": project } }, secrets: { webhookSecret: "gh-s", token: "ghp_crash" } }
    })
    expect(created.status).toBe(201)
    const mapped = await request(server.base, "POST", `/api/integrations/${created.body.id}/identities`, { key, body: { externalId: "octocat", email } })
    expect(mapped.status).toBe(200)
    const merged = JSON.stringify({
      action: "closed",
      number: 7,
      pull_request: { merged: true, head: { ref: "fix" }, user: { login: "octocat" } },
      repository: { full_name: "acme/web" }
    })
    const accepted = await request(server.base, "POST", `/api/integrations/github/inbound/${created.body.id}/webhook`, {
      rawBody: merged,
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": "gh-merge-crash",
        "x-hub-signature-256": `sha256=${createHmac("sha256", "gh-s").update(merged).digest("hex")}`
      }
    })
    expect(accepted.status).toBe(202)
    for (let i = 0; i < 100 && comments.length === 0; i++) await pause(100)
    expect(comments).toHaveLength(1)
    expect((await server.stop("SIGKILL")).signal).toBe("SIGKILL")

    const before = calls.length
    server = await startServer(dataDir, 120_000, env)
    let log: Array<any> = []
    for (let i = 0; i < 150 && log[0]?.state !== "delivered"; i++) {
      await pause(200)
      log = (await request(server.base, "GET", `/api/integrations/${created.body.id}/deliveries`, { key })).body
    }
    expect(log).toMatchObject([{ id: accepted.body.deliveryId, state: "delivered" }])
    expect(calls.slice(before).map((c) => c.method)).toEqual(["GET"])
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain(`<!-- clockme:pr-time ${created.body.id}/acme/web#7 -->`)
  }, 300_000)
})
