import { CSRF_HEADER, CsrfRefused } from "@clockme/domain/contract/Session"
import type { HttpServerRequest } from "@effect/platform"
import { timingSafeEqual } from "node:crypto"

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"])

const sameHost = (origin: string, host: string | undefined) => {
  try {
    return host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}

const sameToken = (sent: string, expected: string) => {
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Why a session request that changes something is refused, if it is: it came from another site (Sec-Fetch-Site,
 * or an Origin that is not this host), or without the session's CSRF token. SameSite=Lax already keeps the
 * cookie off most cross-site posts; this holds where it does not (an old browser, a sibling subdomain).
 */
export const csrfRefusal = (request: HttpServerRequest.HttpServerRequest, csrfToken: string): CsrfRefused | undefined => {
  if (safeMethods.has(request.method)) return undefined
  const origin = request.headers.origin
  if (request.headers["sec-fetch-site"] === "cross-site" || (origin !== undefined && !sameHost(origin, request.headers.host))) {
    return new CsrfRefused({ message: "This request came from another site; a signed-in session takes changes only from the dashboard" })
  }
  const sent = request.headers[CSRF_HEADER]
  if (sent === undefined || !sameToken(sent, csrfToken)) {
    return new CsrfRefused({ message: `A session request that changes something needs the session's CSRF token in ${CSRF_HEADER}` })
  }
  return undefined
}
