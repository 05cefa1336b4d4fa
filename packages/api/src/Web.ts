import { HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { extname } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The dashboard's build (packages/web, built by Vite into the server's dist/web): beside the bundle when the
 * server runs built (`npm start`, `node packages/api/dist/bin.js` from anywhere, the published package), and
 * in dist/web when it runs from source (tests, `npm run dev`).
 */
const webDirectory = () =>
  [new URL("./web/", import.meta.url), new URL("../dist/web/", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((directory) => existsSync(`${directory}index.html`))

const types: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json"
}

interface Asset {
  readonly body: Uint8Array
  readonly contentType: string
}

/** Every file of the build, read once: only these paths are served, so no request names a file outside it. */
const load = () => {
  const directory = webDirectory()
  if (directory === undefined) return undefined
  const read = (name: string): Asset => ({
    body: readFileSync(`${directory}${name}`),
    contentType: types[extname(name)] ?? "application/octet-stream"
  })
  const assets = new Map<string, Asset>()
  const assetsDirectory = `${directory}assets`
  if (existsSync(assetsDirectory)) {
    for (const name of readdirSync(assetsDirectory)) assets.set(`/assets/${name}`, read(`assets/${name}`))
  }
  return { index: read("index.html"), assets }
}

let build: ReturnType<typeof load> | null = null
const loaded = () => {
  if (build === null) build = load()
  return build
}

/** A path the dashboard answers (everything a browser GETs outside /api). */
export const isDashboardPath = (path: string) => path !== "/api" && !path.startsWith("/api/")

/**
 * The dashboard's answer to a GET: a hashed asset, cached for a year (its name changes with its content), or
 * the page itself for every client-side route, checked again on each visit. Undefined when the dashboard is
 * not built or the asset does not exist (the caller answers 404).
 */
export const dashboardResponse = (path: string) =>
  Effect.sync(() => {
    const web = loaded()
    if (web === undefined) return undefined
    if (path.startsWith("/assets/")) {
      const asset = web.assets.get(path)
      return asset === undefined ? undefined : HttpServerResponse.uint8Array(asset.body, {
        contentType: asset.contentType,
        headers: { "cache-control": "public, max-age=31536000, immutable" }
      })
    }
    return HttpServerResponse.uint8Array(web.index.body, {
      contentType: web.index.contentType,
      headers: { "cache-control": "no-cache" }
    })
  })
