import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { launchBrowser, visit } from "./lib/Browser.js"
import { baseUrl, call, TestServerManualSweep as TestServer } from "./lib/TestServer.js"

/** /api/docs as a person sees it: in Chromium, on the server alone (no other host reached), without errors. */
layer(TestServer)("the docs page in a browser", (it) => {
  it.scoped("lists every operation of the OpenAPI document, with no console error and no request to another host", () =>
    Effect.gen(function*() {
      const base = yield* baseUrl
      const document = (yield* call(base, "GET", "/api/openapi")).body
      const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)
      )
      expect(operations.length).toBeGreaterThan(50)

      const browser = yield* Effect.acquireRelease(Effect.promise(launchBrowser), (browser) => Effect.promise(() => browser.close()))
      const { errors, page, requests } = yield* Effect.promise(() => visit(browser, `${base}/api/docs`))
      const rendered = yield* Effect.promise(() =>
        page.getByText("ClockMe API").first().waitFor({ timeout: 20_000 }).then(() => true, () => false)
      )
      // a page that stays blank says why in its console
      expect(errors).toEqual([])
      expect(rendered).toBe(true)
      // the sidebar lists a tag's operations once its group is open
      const sidebar = page.locator("aside")
      const closed = sidebar.getByRole("button", { name: "Open Group" })
      yield* Effect.promise(() => closed.evaluateAll((buttons) => buttons.forEach((button) => (button as HTMLElement).click())))
      yield* Effect.promise(() => closed.first().waitFor({ state: "detached" }))
      const items = yield* Effect.promise(() => sidebar.locator("li").evaluateAll((items) => items.map((item) => item.textContent ?? "")))
      const listed = items.flatMap((text) => {
        const item = /^(\/\S+)HTTP Method:\s+([A-Z]+)$/.exec(text.replace(/\u200b/g, "").trim())
        return item === null ? [] : [`${item[2] === "DEL" ? "DELETE" : item[2]} ${item[1]}`]
      })
      expect(listed.sort()).toEqual(operations.sort())

      expect(errors).toEqual([])
      const elsewhere = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith("data:"))
      expect(elsewhere).toEqual([])
    }), 120_000)
})
