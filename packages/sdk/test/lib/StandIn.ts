import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
  readonly at: number
}

/**
 * A local HTTP server on 127.0.0.1 standing in for the ClockMe server: `answer` decides per request
 * (by its 0-based number) whether to reply itself or forward to `upstream`.
 */
export const standIn = async (options: {
  readonly upstream?: string
  readonly answer: (request: Seen, index: number, forward: () => Promise<Response>) => Promise<
    | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
    | "forward"
    | "destroy"
  >
}) => {
  const seen: Array<Seen> = []
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request: Seen = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() }
    const index = seen.length
    seen.push(request)
    const forward = async () => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === "string" && k !== "host" && k !== "content-length" && k !== "connection") headers[k] = v
      }
      return fetch(options.upstream + request.url, {
        method: request.method,
        headers,
        ...(request.body === "" ? {} : { body: request.body })
      })
    }
    const decision = await options.answer(request, index, forward)
    if (decision === "destroy") {
      req.socket.destroy()
      return
    }
    if (decision === "forward") {
      const response = await forward()
      res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "application/json" })
      res.end(await response.text())
      return
    }
    res.writeHead(decision.status, { "content-type": "application/json", ...decision.headers })
    res.end(decision.body === undefined ? "" : JSON.stringify(decision.body))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}
