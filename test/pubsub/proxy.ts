/**
 * A loopback TCP proxy for outage tests: everything passes through until `cut(ms)`, which drops
 * every connection and refuses new ones for `ms`, as a network partition or a restarting load
 * balancer would, while the server behind it keeps running (and keeps its data).
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'

export interface Proxy {
  readonly port: number
  readonly url: string
  cut(ms: number): Promise<void>
  /** Drops every connection and refuses new ones until `up()`. */
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export const startProxy = async (target: { host: string; port: number }): Promise<Proxy> => {
  const sockets = new Set<Socket>()
  const serve = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((client) => {
        const upstream = netConnect(target.port, target.host)
        sockets.add(client).add(upstream)
        const drop = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
        }
        client.on('error', drop).on('close', drop)
        upstream.on('error', drop).on('close', drop)
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve(server))
    })
  let server = await serve(0)
  const port = (server.address() as { port: number }).port
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    })
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async cut(ms) {
      await stop()
      await new Promise((resolve) => setTimeout(resolve, ms))
      server = await serve(port)
    },
    down: stop,
    async up() {
      server = await serve(port)
    },
    close: stop,
  }
}
