import * as fs from "node:fs"
import * as path from "node:path"
import { type Browser, chromium, type Page } from "playwright-core"
import { root } from "./Process.js"

/** Screenshots of every page at a phone's and a laptop's width, for a person to look at (gitignored). */
export const screenshots = path.join(root, ".tmp", "screenshots")
const widths = [390, 1280] as const

export const shoot = async (page: Page, name: string) => {
  fs.mkdirSync(screenshots, { recursive: true })
  for (const width of widths) {
    await page.setViewportSize({ width, height: 844 })
    await page.screenshot({ path: path.join(screenshots, `${name}-${width}.png`), fullPage: true })
  }
  await page.setViewportSize({ width: 1280, height: 844 })
}

/** Debian's Chromium (the `chromium` package; .ci/run installs it): playwright-core downloads no browser of its own. */
export const chromiumPath = process.env.CLOCKME_CHROMIUM ?? "/usr/bin/chromium"

/** Headless, and quiet: no first-run, update, sync or other background traffic of its own to tell apart from the page's. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

export interface PageVisit {
  readonly page: Page
  /** Console errors, uncaught exceptions and Content-Security-Policy violations, as the page reported them. */
  readonly errors: ReadonlyArray<string>
  /** Every URL the page requested, in order. */
  readonly requests: ReadonlyArray<string>
}

/** Opens `url` in a new page of `browser`, recording what a person's developer tools would show. */
export const visit = async (browser: Browser, url: string): Promise<PageVisit> => {
  const page = await browser.newPage()
  const errors: Array<string> = []
  const requests: Array<string> = []
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text())
  })
  page.on("pageerror", (error) => errors.push(String(error)))
  page.on("request", (request) => requests.push(request.url()))
  await page.goto(url, { waitUntil: "load" })
  return { page, errors, requests }
}
