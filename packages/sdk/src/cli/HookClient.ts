import { HOOK_ROUTES, type HookRoute } from "./HookRoutes.js"

/** A failed hook call: `code` is the server's error code, or `network_error` / `timeout`. */
export class HookFailure extends Error {
  constructor(readonly code: string, message: string, readonly status?: number) {
    super(message)
  }
}

/**
 * The server did not answer, or cannot right now: the event is worth keeping for later. Read by
 * shape, so the full client's `ClockMeError` (from a queue flush) counts the same way.
 */
export const isUnreachableFailure = (error: unknown): boolean => {
  const { code, status } = (error ?? {}) as { readonly code?: unknown; readonly status?: unknown }
  return code === "network_error" || code === "timeout" || status === 429 || (typeof status === "number" && status >= 500)
}

export interface HookClientOptions {
  readonly baseUrl: string
  readonly apiKey: string
  /** Milliseconds left for everything the hook still does. */
  readonly remaining: () => number
  readonly retries: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One request over node:http(s): `fetch` would load undici, which costs a hook more than all else. */
const send = async (
  url: string,
  init: { readonly method: string; readonly headers: Record<string, string>; readonly timeout: number },
  body: string | undefined
): Promise<{ readonly status: number; readonly text: string }> => {
  const { request } = url.startsWith("https:") ? await import("node:https") : await import("node:http")
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => {
        clearTimeout(deadline)
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") })
      })
      res.on("error", (error) => reject(new HookFailure("network_error", error.message)))
    })
    const deadline = setTimeout(() => req.destroy(new HookFailure("timeout", `no answer within ${init.timeout} ms`)), init.timeout)
    req.on("error", (error) => {
      clearTimeout(deadline)
      reject(error instanceof HookFailure ? error : new HookFailure("network_error", error.message))
    })
    req.end(body)
  })
}

/** Plain HTTP calls for the hook path, which must start fast (no Effect runtime). */
export const hookClient = (options: HookClientOptions) => {
  const base = options.baseUrl.replace(/\/+$/, "").replace(/\/api$/, "")
  const once = async (route: HookRoute, body: unknown, idempotencyKey: string | undefined): Promise<any> => {
    const { method, path } = HOOK_ROUTES[route]
    const budget = Math.max(100, options.remaining())
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const answer = await send(base + path, {
      method,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }),
        ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey })
      },
      timeout: budget
    }, payload)
    let json: any = undefined
    try {
      json = answer.text === "" ? undefined : JSON.parse(answer.text)
    } catch {
      // a proxy's HTML error page
    }
    if (answer.status >= 200 && answer.status < 300) return json ?? {}
    throw new HookFailure(
      typeof json?.code === "string" ? json.code : answer.status >= 500 ? "server_error" : "http_error",
      typeof json?.message === "string" ? json.message : `HTTP ${answer.status}`,
      answer.status
    )
  }
  return {
    call: async (route: HookRoute, body?: unknown, idempotencyKey?: string): Promise<any> => {
      for (let attempt = 0;; attempt++) {
        try {
          return await once(route, body, idempotencyKey)
        } catch (error) {
          // A refused or timed-out connection is not retried: the queue keeps the event instead.
          const retryable = error instanceof HookFailure && error.status !== undefined && isUnreachableFailure(error)
          if (!retryable || attempt >= options.retries || options.remaining() < 400) throw error
          await sleep(100 * 2 ** attempt)
        }
      }
    }
  }
}
