import * as net from "node:net"

export interface TcpProxy {
  readonly port: number
  /** Connections made through the proxy since it started. */
  readonly connections: () => number
  /**
   * What a restarting database looks like from the server: every open connection is cut at once and new
   * ones are refused until `allow`.
   */
  readonly cut: () => void
  readonly allow: () => void
  readonly close: () => Promise<void>
}

/**
 * A TCP proxy on loopback in front of `target` (host:port), so a test can take the database away from a
 * server and give it back without touching the database server itself.
 */
export const tcpProxy = (target: { readonly host: string; readonly port: number }) =>
  new Promise<TcpProxy>((resolve, reject) => {
    const open = new Set<net.Socket>()
    let up = true
    let count = 0
    const server = net.createServer((client) => {
      if (!up) return void client.resetAndDestroy()
      count++
      const upstream = net.connect(target.port, target.host)
      open.add(client)
      open.add(upstream)
      const drop = () => {
        open.delete(client)
        open.delete(upstream)
        client.destroy()
        upstream.destroy()
      }
      client.on("error", drop).on("close", drop)
      upstream.on("error", drop).on("close", drop)
      client.pipe(upstream)
      upstream.pipe(client)
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo
      resolve({
        port: address.port,
        connections: () => count,
        cut: () => {
          up = false
          for (const socket of open) socket.resetAndDestroy()
          open.clear()
        },
        allow: () => void (up = true),
        close: () =>
          new Promise<void>((done) => {
            for (const socket of open) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
