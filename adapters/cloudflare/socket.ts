/**
 * The Cloudflare Workers `Connect`, over `connect()` from `cloudflare:sockets`. The function is
 * passed in rather than imported, so this module loads anywhere (tests, bundlers, Node) and only
 * the Worker's own code imports the `cloudflare:sockets` built-in.
 *
 * NOTE: Workers cannot carry a socket from one request to the next: an I/O object created in one
 * request's context fails when used from another. Create the client inside the request and
 * close it before the response is done (or in `ctx.waitUntil(client.close())`).
 */
import { type Connect, openWithin, streamSocket } from '../../src/client/tcp/socket.ts'

/** The part of a `cloudflare:sockets` Socket the client uses. */
export interface CloudflareSocketLike {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  readonly opened: Promise<unknown>
  close(): Promise<void>
}

/** `connect` from `cloudflare:sockets`. */
export type CloudflareConnectLike = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: 'off' | 'on' | 'starttls'; allowHalfOpen?: boolean },
) => CloudflareSocketLike

/**
 * Turns Cloudflare's `connect` into the `Connect` the TCP client takes. TLS uses the host name for
 * SNI (Workers offer no separate server name).
 *
 * @example
 * import { connect } from 'cloudflare:sockets'
 * import { createTcpClient } from 'floodgate'
 * import { cloudflareConnect } from 'floodgate/cloudflare'
 *
 * export default {
 *   async fetch(request, env, ctx) {
 *     const client = createTcpClient({ url: env.VALKEY_URL, connect: cloudflareConnect(connect) })
 *     const hits = await client.send(['INCR', 'hits'])
 *     ctx.waitUntil(client.close())
 *     return new Response(String(hits))
 *   },
 * }
 */
export const cloudflareConnect =
  (connect: CloudflareConnectLike): Connect =>
  async (options, handlers) => {
    const socket = connect(
      { hostname: options.host, port: options.port },
      { secureTransport: options.tls ? 'on' : 'off', allowHalfOpen: false },
    )
    const close = () => void socket.close().catch(() => {})
    try {
      await openWithin(socket.opened, options.signal, close)
    } catch (error) {
      close()
      throw error
    }
    return streamSocket(socket.readable, socket.writable, handlers, close)
  }
