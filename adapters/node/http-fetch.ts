/**
 * A faster `fetch` for the HTTP transport on Node: `node:http`/`node:https` over keep-alive agents.
 * Node's global fetch (undici) costs ~800 µs of CPU per call on a small VM; this path skips the
 * WHATWG Request/Response/stream machinery and costs a fraction of that (see bench/http-client).
 * It implements only what the transport needs (`FetchLike`): a POST with a string body, the status,
 * headers and body text. Errors look like fetch's: a `TypeError('fetch failed')` whose `cause`
 * carries Node's error code, so the transport can tell a refused connection from a broken one.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { FetchLike, FetchResponseLike } from '../../src/client/http-exchange.ts'

export interface NodeFetchOptions {
  /** Most open connections per host. Default 64. */
  maxSockets?: number
  /** Idle keep-alive connections kept per host. Default 16. */
  maxFreeSockets?: number
  /** TLS options for https:// URLs (e.g. `ca` for a private CA). */
  tls?: { ca?: string | Buffer | Array<string | Buffer>; rejectUnauthorized?: boolean; servername?: string }
}

/** A `FetchLike` that owns its connections; `close()` ends the idle ones and refuses new calls. */
export interface NodeFetch extends FetchLike {
  close(): void
}

interface Target {
  readonly request: typeof httpRequest
  readonly options: RequestOptions
}

const failed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause })

const responseLike = (res: IncomingMessage, body: string): FetchResponseLike => ({
  status: res.statusCode ?? 0,
  headers: {
    get(name) {
      const value = res.headers[name.toLowerCase()]
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value
    },
  },
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
  const pool = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 64,
    maxFreeSockets: options.maxFreeSockets ?? 16,
  }
  const http = new HttpAgent({ ...pool, scheduling: 'lifo' })
  const https = new HttpsAgent({ ...pool, scheduling: 'lifo', ...options.tls })
  const targets = new Map<string, Target>()
  let closed = false

  const target = (url: string): Target => {
    let found = targets.get(url)
    if (found === undefined) {
      const parsed = new URL(url)
      const secure = parsed.protocol === 'https:'
      found = {
        request: secure ? httpsRequest : httpRequest,
        options: {
          hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
          port: parsed.port || (secure ? 443 : 80),
          path: parsed.pathname + parsed.search,
          agent: secure ? https : http,
        },
      }
      if (targets.size < 64) targets.set(url, found)
    }
    return found
  }

  const fetch = (url: string, init: Parameters<FetchLike>[1]): Promise<FetchResponseLike> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(failed(new Error('nodeFetch() was closed')))
      const { signal } = init
      if (signal.aborted) return reject(signal.reason)
      const { request, options: base } = target(url)
      const body = Buffer.from(init.body)
      const req = request({
        ...base,
        method: init.method,
        headers: { ...init.headers, 'Content-Length': body.length },
      })
      const onAbort = () => {
        req.destroy()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const done = () => signal.removeEventListener('abort', onAbort)
      req.on('error', (error) => {
        done()
        reject(failed(error))
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', (error) => {
          done()
          reject(failed(error))
        })
        res.on('end', () => {
          done()
          const text =
            chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
          resolve(responseLike(res, text))
        })
      })
      req.end(body)
    })

  return Object.assign(fetch, {
    close() {
      closed = true
      http.destroy()
      https.destroy()
    },
  })
}
