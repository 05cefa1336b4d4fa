import { Effect } from "effect"
import * as http from "node:http"

export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** What the receiver answers next: a status, or never answering (a timeout). */
export type Mode =
  | {
    readonly status: number
    readonly location?: string
    readonly headers?: Record<string, string>
    readonly body?: string
  }
  | "hang"

/** What the receiver answers: `mode`, unless `byPath` has an answer for the request's path (and method). */
export interface Answer {
  mode: Mode
  byPath?: ((path: string, method: string) => Mode | undefined) | undefined
}

/** An HTTP server on a loopback address (any free port by default) that records every request and answers as told. */
export const receiverAt = (host: string, port = 0) => Effect.acquireRelease(
  Effect.async<{ server: http.Server; url: string; port: number; received: Array<Received>; answer: Answer }>((resume) => {
    const received: Array<Received> = []
    const answer: Answer = { mode: { status: 200 } }
    const server = http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        received.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") })
        const mode = answer.byPath?.(request.url ?? "", request.method ?? "") ?? answer.mode
        if (mode === "hang") return
        response.writeHead(mode.status, { ...mode.headers, ...(mode.location ? { location: mode.location } : {}) })
        response.end(mode.body ?? "ok")
      })
    })
    server.listen(port, host, () => {
      const address = server.address() as { port: number }
      resume(Effect.succeed({ server, url: `http://${host}:${address.port}`, port: address.port, received, answer }))
    })
  }),
  ({ server }) => Effect.sync(() => server.closeAllConnections()).pipe(Effect.andThen(Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
  })))
)

/** A receiver on 127.0.0.1. */
export const receiver = receiverAt("127.0.0.1")
