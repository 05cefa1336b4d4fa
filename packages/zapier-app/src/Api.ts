import type { BeforeRequestMiddleware, Bundle, HttpResponse, ZObject } from "zapier-platform-core"

/** The ClockMe server the user connected, without a trailing slash. */
export const serverUrl = (bundle: Pick<Bundle, "authData">): string => String(bundle.authData.serverUrl ?? "").trim().replace(/\/+$/, "")

/** An absolute URL of the connected server's REST API, e.g. `apiUrl(bundle, "/timer/current")`. */
export const apiUrl = (bundle: Pick<Bundle, "authData">, path: string): string => `${serverUrl(bundle)}/api${path}`

/** Every request carries the pasted key as a bearer token (never in the URL, so Zapier's logs do not show it). */
export const addApiKey: BeforeRequestMiddleware = (request, _z, bundle) => {
  request.headers = { ...request.headers, authorization: `Bearer ${bundle.authData.apiKey ?? ""}` }
  return request
}

/** A ClockMe error answer becomes a Zapier error carrying the server's own message and code. */
export const explainErrors = (response: HttpResponse, z: ZObject): HttpResponse => {
  if (response.status < 400 || response.skipThrowForStatus) return response
  let body: { code?: unknown; message?: unknown } = {}
  try {
    body = JSON.parse(response.content) as typeof body
  } catch {
    // not JSON: the status alone explains it
  }
  const message = typeof body.message === "string" ? body.message : `ClockMe answered ${response.status}`
  const code = typeof body.code === "string" ? body.code : `http_${response.status}`
  throw new z.errors.Error(message, code, response.status)
}

/** Drops the inputs a user left empty, so the server applies its own defaults. */
export const given = (inputs: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined && value !== null && value !== ""))
