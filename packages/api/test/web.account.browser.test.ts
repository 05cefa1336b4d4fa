import { afterAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { createHmac, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import type { Browser, Page } from "playwright-core"
import { inject } from "vitest"
import { launchBrowser, shoot, visit } from "./lib/Browser.js"
import { ownerKey, postgresDatabase, request, root, startServer, tempDataDir } from "./lib/Process.js"
import type { RunningServer } from "./lib/Process.js"

const run = promisify(execFile)
const password = "a long owner passphrase"

/** The new files `clockme setup --dry-run` prints (each a diff from /dev/null), by path, the key masked as it masks it. */
const dryRunFiles = (stdout: string): Record<string, string> =>
  Object.fromEntries(stdout.split(/^--- \/dev\/null\n/m).slice(1).map((block) => {
    const [head = "", ...lines] = block.split("\n")
    return [head.replace(/^\+\+\+ /, ""), lines.filter((line) => line.startsWith("+")).map((line) => line.slice(1)).join("\n") + "\n"]
  }))

const signIn = async (page: Page, email: string) => {
  await page.getByLabel("Email").fill(email)
  await page.getByLabel("Password").fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("heading", { name: "Timers" }).waitFor()
}

/** Screenshots at both widths, and nothing wider than a phone's screen. */
const shootFitting = async (page: Page, name: string) => {
  await shoot(page, name)
  await page.setViewportSize({ width: 390, height: 844 })
  expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390)
  await page.setViewportSize({ width: 1280, height: 844 })
}

/** A person without a session fills the invite page's new-account form and sends it. */
const signUp = async (page: Page, name: string, email: string) => {
  await page.getByLabel("Your name").fill(name)
  await page.getByLabel("Email", { exact: true }).fill(email)
  await page.getByLabel("Choose a password").fill(password)
  await page.getByRole("button", { name: "Create account and join" }).click()
}

const go = async (page: Page, name: string) => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click()
  await page.getByRole("heading", { name, level: 1 }).waitFor()
}

/** Settings, setup, team and invites, and the explorer, as people use them, against the built server. */
describe("the dashboard's account pages in a browser", () => {
  const serverUrl = process.env.DATABASE_URL
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  })

  it("creates keys that work with curl, writes what clockme setup writes, invites a second person, and confirms a DELETE", async () => {
    const dataDir = tempDataDir("web-account")
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))
    let env: Record<string, string> = {}
    if (serverUrl) {
      const database = await postgresDatabase(serverUrl, inject("pgTemplate"), "web_account")
      cleanups.push(database.drop)
      env = { DATABASE_URL: database.url }
    }
    // a webhook receiver on this machine, which the server may post to with private addresses allowed
    const received: Array<string> = []
    const receiver = http.createServer((incoming, response) => {
      let body = ""
      incoming.on("data", (chunk) => (body += chunk))
      incoming.on("end", () => {
        received.push(body)
        response.writeHead(200).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise((resolve) => receiver.close(resolve)))
    env = { ...env, CLOCKME_SECRET_KEY: randomBytes(32).toString("base64"), CLOCKME_WEBHOOKS_ALLOW_PRIVATE: "true", CLOCKME_INTEGRATIONS: "webhooks,notion" }
    const server: RunningServer = await startServer(dataDir, 180_000, env)
    cleanups.push(() => server.stop("SIGKILL"))
    const key = ownerKey(server)
    const link = /^ {2}(http:\/\/\S+\/set-password#token=[A-Za-z0-9_-]+)$/m.exec(server.output())?.[1]
    expect(link).toBeDefined()

    const browser: Browser = await launchBrowser()
    cleanups.push(() => browser.close())
    const { errors, page, requests } = await visit(browser, link!)
    await page.setViewportSize({ width: 1280, height: 844 })
    await page.getByLabel("New password").fill(password)
    await page.getByLabel("The same password again").fill(password)
    await page.getByRole("button", { name: "Set password" }).click()
    await page.getByText("Your password is set").waitFor()
    await signIn(page, "owner@clockme.local")

    // Settings: a key made here works from a terminal; the list shows its prefix
    await go(page, "Settings")
    await page.getByLabel("Label").fill("terminal")
    await page.getByLabel("Scope").selectOption("read")
    await page.getByRole("button", { name: "Create key" }).click()
    const secret = (await page.getByTestId("secret").textContent())!
    expect(secret).toMatch(/^ck_/)
    const row = page.getByRole("row").filter({ hasText: "terminal" })
    await row.getByText(secret.slice(0, 8)).waitFor()
    const curl = await run("curl", ["-s", "-w", "\n%{http_code}", "-H", `Authorization: Bearer ${secret}`, `${server.base}/api/me`])
    const [body, status] = curl.stdout.trim().split("\n")
    expect(status).toBe("200")
    expect(JSON.parse(body!)).toMatchObject({ user: { email: "owner@clockme.local" }, scope: "read" })
    await page.getByLabel("Timezone").fill("Europe/Berlin")
    await page.getByLabel("Week starts on").selectOption("sunday")
    await page.getByRole("button", { name: "Save profile" }).click()
    await page.getByText("Profile saved.").waitFor()
    expect((await request(server.base, "GET", "/api/me", { key })).body.user).toMatchObject({ timezone: "Europe/Berlin", weekStart: "sunday" })
    // a webhook: its secret shown once, a test event delivered, and delivered again on retry
    await page.getByLabel("Webhook URL").fill(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`)
    await page.getByRole("button", { name: "Connect webhook" }).click()
    await page.getByText(/^whsec_/).waitFor()
    await page.getByRole("button", { name: "Deliveries" }).click()
    await page.getByRole("button", { name: "Send a test event" }).click()
    await page.getByRole("button", { name: "Retry delivery of webhook.test" }).waitFor()
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1)
    await page.getByRole("button", { name: "Retry delivery of webhook.test" }).click()
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2)
    expect(received.map((body) => JSON.parse(body).type)).toEqual(["webhook.test", "webhook.test"])
    // Notion: JSON refused before sending, then connected; its inbound URL shown takes the handshake, whose token
    // the session reveals until a signed request is accepted, and the refusals after that are shown
    await page.getByRole("combobox", { name: /^Integration/ }).selectOption("notion")
    await page.getByLabel("Config (JSON, optional)").fill("{dataSourceId: 1}")
    await page.getByRole("button", { name: "Connect integration" }).click()
    await page.getByText("Config is not valid JSON").waitFor()
    const notionConnections = async () => ((await request(server.base, "GET", "/api/integrations", { key })).body
      .connections as Array<{ id: string; integration: string }>).filter((c) => c.integration === "notion")
    expect(await notionConnections()).toEqual([])
    await page.getByLabel("Config (JSON, optional)").fill(JSON.stringify({ dataSourceId: "2a3b4c5d-0000-4000-8000-00000000da7a" }))
    await page.getByLabel("Secrets (JSON, stored encrypted, optional)").fill(JSON.stringify({ token: "ntn_standin_token" }))
    await page.getByRole("button", { name: "Connect integration" }).click()
    const inbound = (await page.getByTestId("inbound-url").textContent())!
    const [notion] = await notionConnections()
    expect(inbound).toBe(`${server.base}/api/integrations/notion/inbound/${notion!.id}/webhook`)
    await page.getByRole("button", { name: "Reveal verification token" }).click()
    await page.getByText("Notion has not sent its verification token yet").waitFor()
    const verification = "secret_verification_standin_0123456789"
    const post = (body: string, headers: Array<string> = []) =>
      run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "content-type: application/json", ...headers, "--data", body, inbound])
    // inbound requests are accepted (202) and handled from the queue: the reveal is asked again until it answers
    const revealUntil = async (shown: ReturnType<Page["getByText"]>) =>
      expect.poll(async () => {
        await page.getByRole("button", { name: "Reveal verification token" }).click()
        return shown.isVisible()
      }, { timeout: 15_000 }).toBe(true)
    expect((await post(JSON.stringify({ verification_token: verification }))).stdout).toBe("202")
    await revealUntil(page.getByTestId("verification-token").getByText(verification, { exact: true }))
    const event = JSON.stringify({ id: "evt-1", type: "page.created" })
    const signature = `sha256=${createHmac("sha256", verification).update(event).digest("hex")}`
    expect((await post(event, ["-H", `x-notion-signature: ${signature}`])).stdout).toBe("202")
    await revealUntil(page.getByText(/The provider's requests are verified since/))
    await page.getByRole("button", { name: "Deliveries" }).nth(1).click()
    await page.getByRole("list", { name: "Deliveries of notion" }).getByText("delivered").first().waitFor()
    page.once("dialog", (dialog) => void dialog.accept())
    await page.getByRole("button", { name: "Disconnect Notion" }).click()
    await page.getByTestId("inbound-url").waitFor({ state: "detached" })
    expect(await notionConnections()).toEqual([])
    await row.getByRole("button", { name: "Revoke terminal" }).click()
    await row.waitFor({ state: "detached" })
    const revoked = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", `Authorization: Bearer ${secret}`, `${server.base}/api/me`])
    expect(revoked.stdout).toBe("401")
    await shootFitting(page, "settings")

    // Setup: the files shown are the ones `clockme setup --dry-run` would write with the same hook command, the new
    // key in them, for two tools
    await go(page, "Setup")
    for (const [tool, label] of [["cursor", "Cursor"], ["claude-code", "Claude Code"]] as const) {
      await page.getByLabel(label).check()
      const before = await page.getByTestId("secret").count() === 0 ? null : await page.getByTestId("secret").textContent()
      await page.getByRole("button", { name: "Create a key" }).click()
      await expect.poll(() => page.getByTestId("secret").textContent()).not.toBe(before)
      const setupKey = (await page.getByTestId("secret").textContent())!
      const shown = await page.locator("[data-file]").evaluateAll((nodes) =>
        nodes.map((node) => [node.getAttribute("data-file")!, node.textContent!] as const))
      expect(shown.length).toBeGreaterThan(0)
      expect(shown.map(([, content]) => content).join("\n")).toContain("npx -y -p @clockme/sdk clockme hook ")
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "clockme-wizard-"))
      cleanups.push(async () => fs.rmSync(home, { recursive: true, force: true }))
      const dry = await run(process.execPath, [
        path.join(root, "packages/sdk/dist/cli.js"), "setup", tool, "--dry-run", "--key", setupKey, "--url", server.base,
        "--command", "npx -y -p @clockme/sdk clockme", "--auto-create"
      ], { env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") }, cwd: home })
      const masked = (text: string) => text.split(setupKey).join(`${setupKey.slice(0, 8)}…${setupKey.slice(-4)}`)
      // the dry run masks the key in some files only: compared with it masked everywhere
      expect(dryRunFiles(masked(dry.stdout))).toEqual(Object.fromEntries(shown.map(([where, content]) => {
        const [place, file] = where.split(/:(.*)/s) as [string, string]
        expect(place).toBe("home")
        return [path.join(home, file), masked(content)]
      })))
      expect(await page.getByTestId("setup-command").textContent())
        .toBe(`npx @clockme/sdk setup ${tool} --key ${setupKey} --url ${server.base} --auto-create`)
      const keys = (await request(server.base, "GET", "/api/keys", { key })).body as ReadonlyArray<{ prefix: string; scope: string }>
      expect(keys.find((k) => setupKey.startsWith(k.prefix))?.scope).toBe("write")
    }
    await shootFitting(page, "setup")

    // Team: a shared workspace, switched to, an invite link, and the second person joining through it
    await go(page, "Team")
    await page.getByLabel("New workspace").fill("Crew")
    await page.getByRole("button", { name: "Create workspace" }).click()
    await page.getByRole("button", { name: "Switch to Crew" }).click()
    await page.getByRole("heading", { name: "Invites" }).waitFor()
    await page.getByLabel("Uses (optional)").fill("2")
    await page.getByRole("button", { name: "Create invite" }).click()
    const inviteLink = (await page.getByTestId("invite-link").textContent())!
    expect(inviteLink).toMatch(new RegExp(`^${server.base}/invite#code=`))

    /** Another person's browser: its own cookies, closed at the end. */
    const stranger = async (url: string) => {
      const context = await browser.newContext()
      cleanups.push(() => context.close())
      const opened = await context.newPage()
      await opened.goto(url)
      return opened
    }
    const guestPage = await stranger(`${server.base}/invite#code=not-a-code`)
    const guestErrors: Array<string> = []
    guestPage.on("console", (message) => message.type() === "error" && guestErrors.push(message.text()))
    await guestPage.reload()
    await signUp(guestPage, "Grace", "grace@example.com")
    await guestPage.getByText("This invite link is not valid").waitFor()
    await guestPage.goto(inviteLink)
    await guestPage.getByRole("heading", { name: "Join a workspace" }).waitFor()
    await shootFitting(guestPage, "invite")
    await signUp(guestPage, "Grace", "grace@example.com")
    await guestPage.getByRole("heading", { name: "Team", level: 1 }).waitFor()
    await guestPage.getByText("Crew").first().waitFor()
    // the signed-out probe's 401 and the unknown code's 404, which the browser logs as failed loads
    expect(guestErrors.filter((error) => !/status of (401|404)/.test(error))).toEqual([])

    await page.reload()
    await page.getByRole("cell", { name: "grace@example.com" }).waitFor()
    await page.getByText("used 1 of 2").waitFor()
    await page.getByRole("heading", { name: "Audit log" }).waitFor()
    // each event names who did it and what the API recorded: the invite, by the signed-in owner, for 2 uses
    const ownerName = (await request(server.base, "GET", "/api/me", { key })).body.user.name as string
    const invited = page.getByRole("list", { name: "Audit events" }).getByRole("listitem").filter({ hasText: "invite.created" })
    await expect.poll(() => invited.innerText()).toContain(`by ${ownerName} (signed in)`)
    expect(await invited.innerText()).toContain(`"maxUses": 2`)
    await shootFitting(page, "team")

    // an account that exists is told to sign in, and joins by signing in; a revoked link says so
    const returningPage = await stranger(inviteLink)
    await signUp(returningPage, "Grace again", "grace@example.com")
    await returningPage.getByText("Sign in below with that account to join").waitFor()
    await returningPage.getByLabel("Account email").fill("grace@example.com")
    await returningPage.getByLabel("Account password").fill(password)
    await returningPage.getByRole("button", { name: "Sign in and join" }).click()
    await returningPage.getByRole("heading", { name: "Team", level: 1 }).waitFor()
    await page.getByRole("button", { name: /^Revoke invite / }).click()
    await page.getByText(/^revoked · used 1 of 2/).waitFor()
    const latePage = await stranger(inviteLink)
    await signUp(latePage, "Late", "late@example.com")
    await latePage.getByText("This invite can no longer be used").waitFor()
    const members = await request(server.base, "GET", "/api/workspaces", { key })
    const crew = (members.body as ReadonlyArray<{ id: string; name: string; memberCount: number }>).find((w) => w.name === "Crew")
    expect(crew?.memberCount).toBe(2)

    // the owner makes Grace an owner, then removes her after confirming
    await page.getByLabel("Role of Grace").selectOption("owner")
    await expect.poll(async () =>
      ((await request(server.base, "GET", `/api/workspaces/${crew!.id}/members`, { key })).body as ReadonlyArray<{ email: string; role: string }>)
        .find((member) => member.email === "grace@example.com")?.role
    ).toBe("owner")
    page.once("dialog", (dialog) => void dialog.accept())
    await page.getByRole("button", { name: "Remove Grace" }).click()
    await page.getByRole("cell", { name: "grace@example.com" }).waitFor({ state: "detached" })
    expect((await request(server.base, "GET", `/api/workspaces/${crew!.id}`, { key })).body.memberCount).toBe(1)

    // Explorer: a DELETE waits for its confirmation
    const doomed = await request(server.base, "POST", "/api/keys", { key, body: { label: "doomed" } })
    expect(doomed.status).toBe(201)
    await go(page, "Explorer")
    // by keyboard alone: the filter, Tab to the operations, Enter chooses one
    await page.getByLabel("Filter operations").focus()
    await page.keyboard.type("/api/keys/")
    // the operations come from /api/openapi, which the server builds on its first request
    await page.getByRole("button", { name: "DELETE /api/keys/{id}" }).waitFor()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.getByRole("heading", { name: "DELETE /api/keys/{id}" }).waitFor()
    await page.getByLabel("API key").fill(key)
    await page.getByLabel("id (path, required)").fill(doomed.body.key.id)
    const before = requests.length
    await page.getByRole("button", { name: "Send" }).click()
    await page.getByRole("button", { name: "Confirm DELETE" }).waitFor()
    expect(requests.slice(before).filter((url) => url.includes("/api/keys/"))).toEqual([])
    const listed = (await request(server.base, "GET", "/api/keys", { key })).body as ReadonlyArray<{ id: string; revokedAt: string | null }>
    expect(listed.find((k) => k.id === doomed.body.key.id)?.revokedAt).toBeNull()
    await page.getByRole("button", { name: "Confirm DELETE" }).click()
    await page.getByTestId("status").getByText("200").waitFor()
    const after = (await request(server.base, "GET", "/api/keys", { key })).body as ReadonlyArray<{ id: string; revokedAt: string | null }>
    expect(after.find((k) => k.id === doomed.body.key.id)?.revokedAt).not.toBeNull()
    await shootFitting(page, "explorer")

    // a session cookie is not a key for /api/mcp, even with the CSRF token
    const session = await page.context().request.get(`${server.base}/api/session`)
    const csrf = ((await session.json()) as { csrfToken: string }).csrfToken
    const mcp = await page.context().request.post(`${server.base}/api/mcp`, {
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-clockme-csrf": csrf },
      data: { jsonrpc: "2.0", id: 1, method: "tools/list" }
    })
    expect(mcp.status()).toBe(401)

    // developer tools would show only this server, and nothing wrong (console errors, CSP violations) but the
    // signed-out probe's one 401 on the set-password page and the reveals Notion's connection refused (409), which
    // the browser logs as failed loads
    const refusal = "Failed to load resource: the server responded with a status of 409 (Conflict)"
    expect(errors.filter((error) => error === refusal).length).toBeGreaterThanOrEqual(2)
    expect(errors.filter((error) => error !== refusal))
      .toEqual(["Failed to load resource: the server responded with a status of 401 (Unauthorized)"])
    expect(requests.filter((url) => !url.startsWith(`${server.base}/`) && !url.startsWith("data:"))).toEqual([])

    // a page of another site posting a form to the server, in the signed-in browser: refused, nothing started
    const foreign = http.createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" })
      response.end(`<form method="post" action="${server.base}/api/timer/start" enctype="text/plain">` +
        `<input name='{"projectName":"csrf","autoCreate":true,"x":"' value='"}'></form>` +
        `<script>document.forms[0].submit()</script>`)
    })
    await new Promise<void>((resolve) => foreign.listen(0, "127.0.0.1", resolve))
    cleanups.push(() => new Promise((resolve) => foreign.close(resolve)))
    const answer = page.waitForResponse((response) => response.url() === `${server.base}/api/timer/start`)
    await page.goto(`http://localhost:${(foreign.address() as AddressInfo).port}/`)
    const refused = await answer
    expect(refused.status()).toBeGreaterThanOrEqual(400)
    expect(refused.status()).toBeLessThan(500)
    const timers = await request(server.base, "GET", "/api/timer/current", { key })
    expect(timers.body.timers).toEqual([])
  }, 300_000)
})
