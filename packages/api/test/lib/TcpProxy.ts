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
  /**
   * A database host that stopped answering: every open connection is cut, and new ones are accepted but
   * never answered until `allow`.
   */
  readonly blackhole: () => void
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
    const held = new Set<net.Socket>()
    let mode: "up" | "refuse" | "blackhole" = "up"
    let count = 0
    const cutAll = () => {
      for (const socket of open) socket.resetAndDestroy()
      open.clear()
    }
    const server = net.createServer((client) => {
      if (mode === "refuse") return void client.resetAndDestroy()
      if (mode === "blackhole") {
        held.add(client)
        client.on("error", () => held.delete(client)).on("close", () => held.delete(client))
        return
      }
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
          mode = "refuse"
          cutAll()
        },
        blackhole: () => {
          mode = "blackhole"
          cutAll()
        },
        allow: () => {
          mode = "up"
          for (const socket of held) socket.resetAndDestroy()
          held.clear()
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of [...open, ...held]) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
