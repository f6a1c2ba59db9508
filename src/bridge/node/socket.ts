/**
 * The Node `Connect`: `node:net`, or `node:tls` for `rediss://`, with Nagle off so a pipelined
 * write leaves at once.
 */
import { isIP, type Socket as NetSocket, connect as netConnect } from 'node:net'
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls'
import type { Connect, Socket } from '../../client/tcp/socket.ts'

/**
 * A `Connect` with extra TLS settings (a private CA, a client certificate).
 *
 * @example
 * const connect = createNodeConnect({ ca: readFileSync('ca.pem') })
 * const client = createTcpClient({ url: 'rediss://cache.internal:6380', connect })
 */
export const createNodeConnect =
  (tlsOptions: ConnectionOptions = {}): Connect =>
  (options, handlers) =>
    new Promise<Socket>((resolve, reject) => {
      const { host, port, signal } = options
      const servername = options.servername ?? host
      const socket: NetSocket = options.tls
        ? tlsConnect({ ...tlsOptions, host, port, ...(isIP(servername) ? {} : { servername }) })
        : netConnect({ host, port })
      socket.setNoDelay(true)
      let open = false
      let lastError: Error | undefined
      const onAbort = () => {
        socket.destroy()
        reject(signal?.reason)
      }
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        open = true
        signal?.removeEventListener('abort', onAbort)
        resolve({
          write: (data) => void socket.write(data),
          writeText: (text) => void socket.write(text, 'utf8'),
          close: () => void socket.end(() => socket.destroy()),
          pause: () => void socket.pause(),
          resume: () => void socket.resume(),
        })
      })
      socket.on('data', (chunk: Uint8Array) => handlers.onData(chunk))
      socket.on('error', (error) => {
        lastError = error
        if (!open) {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        }
      })
      socket.once('close', () => {
        if (open) handlers.onClose(lastError)
      })
    })

/**
 * Opens plain or TLS TCP connections from Node: hand it to `createTcpClient`.
 *
 * @example
 * import { createTcpClient } from 'floodgate'
 * import { connect } from 'floodgate/node'
 * const client = createTcpClient({ url: 'redis://127.0.0.1:6379', connect })
 */
export const connect: Connect = createNodeConnect()
