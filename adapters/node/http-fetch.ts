/**
 * A faster `fetch` for the HTTP transport on Node: a small pool of keep-alive HTTP/1.1 connections
 * (`node:net`, or `node:tls` for https://) per origin. Node's global fetch (undici) costs ~800 µs of
 * CPU per call on a small VM; this path skips the WHATWG Request/Response/stream machinery and
 * node:http's per-request objects (see bench/http-client for the figures).
 * It implements only what the transport needs (`FetchLike`): a POST with a string body, then the
 * status, headers and body text. Errors look like fetch's: a `TypeError('fetch failed')` whose
 * `cause` carries Node's error code, so the transport can tell a refused connection from a broken one.
 */
import type { FetchInitLike, FetchLike, FetchResponseLike } from '../../src/client/http/exchange.ts'
import { failed, type Origin, openSocket, requestHead, type TlsOptions, target as targetOf } from './http1.ts'
import { Http1Connection, type RawResponse } from './http1-connection.ts'

export interface NodeFetchOptions {
  /** Most open connections per origin; further requests wait for a free one. Default 64. */
  maxSockets?: number
  /** Close a connection idle this long (ms), or sooner when the server's Keep-Alive hint says so. Default 4000. */
  idleTimeout?: number
  /** TLS options for https:// URLs (e.g. `ca` for a private CA). */
  tls?: TlsOptions
}

/**
 * A `FetchLike` that owns its connections; `close()` ends them and refuses further calls. Its
 * `maxPipeline` (25) is the HTTP client's default with it: a request costs it little, so a busy
 * tick goes out as several that client, bridge and Valkey work on side by side (bench/limiter: 31–50k
 * decisions/s at 50 in flight, against 27–41k in requests of 1,000).
 */
export interface NodeFetch extends FetchLike {
  readonly maxPipeline: number
  close(): void
}

interface Pool {
  readonly origin: Origin
  readonly idle: Http1Connection[]
  readonly waiting: Array<(connection: Http1Connection | undefined) => void>
  open: number
}

interface Target {
  readonly pool: Pool
  /** The request line and Host header, ready to prepend. */
  readonly start: string
}

const EMPTY = Buffer.alloc(0)

const responseLike = ({ status, headers, body }: RawResponse): FetchResponseLike => ({
  status,
  headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
  text: () => Promise.resolve(body),
})

/**
 * Creates a keep-alive `fetch` for `createHttpClient({ fetch })` on Node.
 *
 * @example
 * import { createHttpClient } from 'floodgate'
 * import { nodeFetch } from 'floodgate/node'
 * const fetch = nodeFetch()
 * const client = createHttpClient({ url: process.env.FLOODGATE_URL!, token: process.env.FLOODGATE_TOKEN, fetch })
 * // on shutdown: await client.close(); fetch.close()
 */
export const nodeFetch = (options: NodeFetchOptions = {}): NodeFetch => {
  const maxSockets = options.maxSockets ?? 64
  const idleTimeout = options.idleTimeout ?? 4000
  if (!Number.isInteger(maxSockets) || maxSockets < 1) {
    throw new TypeError(`maxSockets must be a whole number >= 1, received ${String(maxSockets)}`)
  }
  const pools = new Map<string, Pool>()
  const targets = new Map<string, Target>()
  const timers = new Map<Http1Connection, ReturnType<typeof setTimeout>>()
  let closed = false

  const target = (url: string): Target => {
    let found = targets.get(url)
    if (found !== undefined) return found
    const { origin, key, start } = targetOf(url)
    let pool = pools.get(key)
    if (pool === undefined) {
      pool = { origin, idle: [], waiting: [], open: 0 }
      pools.set(key, pool)
    }
    found = { pool, start }
    if (targets.size < 64) targets.set(url, found)
    return found
  }

  const open = (pool: Pool): Http1Connection => {
    pool.open++
    const connection = new Http1Connection(openSocket(pool.origin, options.tls))
    connection.onClose = () => {
      pool.open--
      const index = pool.idle.indexOf(connection)
      if (index !== -1) pool.idle.splice(index, 1)
      clearTimeout(timers.get(connection))
      timers.delete(connection)
      // A waiter can now open a connection of its own.
      pool.waiting.shift()?.(undefined)
    }
    return connection
  }

  const acquire = (pool: Pool, signal: AbortSignal): Promise<Http1Connection> => {
    const idle = pool.idle.pop()
    if (idle !== undefined) {
      clearTimeout(timers.get(idle))
      timers.delete(idle)
      idle.ref(true)
      return Promise.resolve(idle)
    }
    if (pool.open < maxSockets) return Promise.resolve(open(pool))
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        pool.waiting.splice(pool.waiting.indexOf(take), 1)
        reject(signal.reason)
      }
      const take = (connection: Http1Connection | undefined) => {
        signal.removeEventListener('abort', onAbort)
        if (closed) reject(failed(new Error('nodeFetch() was closed')))
        else resolve(connection ?? open(pool))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      pool.waiting.push(take)
    })
  }

  const release = (pool: Pool, connection: Http1Connection) => {
    if (!connection.reusable || closed) return connection.destroy()
    const next = pool.waiting.shift()
    if (next) return next(connection)
    connection.ref(false)
    pool.idle.push(connection)
    const ms = Math.min(
      idleTimeout,
      connection.keepAliveMs === undefined ? idleTimeout : connection.keepAliveMs - 1000,
    )
    timers.set(
      connection,
      setTimeout(() => connection.destroy(), Math.max(ms, 0)),
    )
  }

  const fetch = async (url: string, init: FetchInitLike): Promise<FetchResponseLike> => {
    if (closed) throw failed(new Error('nodeFetch() was closed'))
    const { signal } = init
    if (signal.aborted) throw signal.reason
    const { pool, start } = target(url)
    const body =
      init.body === undefined
        ? EMPTY
        : typeof init.body === 'string'
          ? Buffer.from(init.body)
          : Buffer.from(init.body.buffer, init.body.byteOffset, init.body.byteLength)
    const head = requestHead(start, init.headers, `Content-Length: ${body.length}\r\n\r\n`)
    const connection = await acquire(pool, signal)
    const onAbort = () => connection.destroy(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await connection.request(head, body)
      release(pool, connection)
      return responseLike(response)
    } catch (error) {
      connection.destroy()
      throw signal.aborted ? signal.reason : failed(error)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  return Object.assign(fetch, {
    maxPipeline: 25,
    close() {
      closed = true
      for (const pool of pools.values()) {
        for (const connection of [...pool.idle]) connection.destroy()
        for (const take of pool.waiting.splice(0)) take(undefined)
      }
    },
  })
}
