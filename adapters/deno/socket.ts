/**
 * The Deno `Connect`, over `Deno.connect` / `Deno.connectTls` (found on `globalThis` at call time,
 * so this module also loads outside Deno). Needs `--allow-net=<host>`. TLS checks the certificate
 * against the host name (Deno offers no separate server name).
 */
import { type Connect, openWithin, streamSocket } from '../../src/client/tcp/socket.ts'

/** The part of a `Deno.Conn` the client uses. */
export interface DenoConnLike {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  close(): void
  setNoDelay?(noDelay?: boolean): void
}

/** The part of the `Deno` namespace the client uses. */
export interface DenoNetLike {
  connect(options: { hostname: string; port: number; transport?: 'tcp' }): Promise<DenoConnLike>
  connectTls(options: { hostname: string; port: number; caCerts?: string[] }): Promise<DenoConnLike>
}

/**
 * A `Connect` with extra TLS settings (PEM CA certificates to trust).
 *
 * @example
 * const connect = createDenoConnect({ caCerts: [await Deno.readTextFile('ca.pem')] })
 */
export const createDenoConnect =
  (tls: { caCerts?: string[] } = {}): Connect =>
  async (options, handlers) => {
    const deno = (globalThis as { Deno?: DenoNetLike }).Deno
    if (deno === undefined)
      throw new TypeError("floodgate/deno's connect runs only on Deno; on Node use floodgate/node")
    const opening = options.tls
      ? deno.connectTls({ hostname: options.host, port: options.port, ...tls })
      : deno.connect({ hostname: options.host, port: options.port, transport: 'tcp' })
    const close = (conn: DenoConnLike) => {
      try {
        conn.close()
      } catch {
        // Already closed by the stream ending.
      }
    }
    const conn = await openWithin(opening, options.signal, close)
    conn.setNoDelay?.(true)
    return streamSocket(conn.readable, conn.writable, handlers, () => close(conn))
  }

/**
 * Opens plain or TLS TCP connections from Deno: hand it to `createTcpClient`.
 *
 * @example
 * import { createTcpClient } from 'floodgate'
 * import { connect } from 'floodgate/deno'
 * const client = createTcpClient({ url: Deno.env.get('VALKEY_URL'), connect })
 */
export const connect: Connect = createDenoConnect()
