/**
 * The HTTP transport of the `Client` interface: the Upstash REST protocol over `fetch`, to
 * floodgate's bridge or to Upstash itself. Commands issued in the same tick share one request
 * (`/pipeline`; a lone command goes to `POST /`), results come base64-encoded so strings and bytes
 * arrive exact, and the `upstash-sync-token` is carried from each response to the next request.
 */

import { runScript } from '../script.ts'
import type { Client } from '../types.ts'
import { createBatcher, MAX_BATCH_BYTES } from './auto-pipeline.ts'
import { decodeResult, encodeCommand, encodedSize, isRaw } from './codec.ts'
import { type Endpoint, exchange, type FetchInitLike, type FetchLike } from './exchange.ts'
import { openSse } from './sse-slot.ts'
import type { StreamFetch } from './subscriber.ts'

export interface HttpClientOptions {
  /** The bridge's (or Upstash's) REST URL, e.g. `https://bridge.internal:8079`. */
  url: string
  /** The bearer token. May also be given as the URL's password: `https://:token@host`. */
  token?: string
  /** A `fetch`-compatible function; default the global `fetch`. On Node see `nodeFetch()` in `floodgate/node`. */
  fetch?: FetchLike
  /** Per-call deadline in ms, `Infinity` for none; a call can also pass its own. Default 10000. */
  timeout?: number
  /** Extra attempts for a failed request that cannot run a write twice (see README). Default 2. */
  retries?: number
  /** Wait before retry number `attempt` (0-based), in ms. Default 50 ms doubling, at most 1 s. */
  backoff?: (attempt: number) => number
  /** `'base64'` (default): results exact to the byte. `'json'`: plain JSON strings, non-UTF-8 bytes lost. */
  responseEncoding?: 'base64' | 'json'
  /** Send the last `upstash-sync-token` back so reads see earlier writes. Default true. */
  readYourWrites?: boolean
  /** Batch the commands of one tick into one request. Default true. */
  autoPipeline?: boolean
  /**
   * Most commands per auto-pipelined request. Default: the `fetch`'s own `maxPipeline` when it has
   * one (`nodeFetch()`: 25, so a busy tick goes out as several requests that client, bridge and
   * Valkey work on side by side), else 1000: a request of the global `fetch` costs Node's undici
   * about 0.5 ms of CPU, and a Worker one subrequest, so there a tick goes out as one request.
   */
  maxPipeline?: number
  /**
   * About the most bytes of arguments per auto-pipelined request (counted in UTF-16 units, so a
   * body of non-ASCII text can be up to three times larger). Default 1 MiB, well under the
   * bridge's 10 MB cap. A single call or pipeline larger than this still goes out, alone.
   */
  maxPipelineBytes?: number
  /** Extra request headers, e.g. for a proxy in front of the bridge. */
  headers?: Record<string, string>
  /**
   * The `fetch` for `subscribe()`'s Server-Sent Events streams: it must stream the response body.
   * Default the global `fetch` (the `fetch` option's may buffer whole bodies, as `nodeFetch()` does).
   */
  streamFetch?: StreamFetch
  /**
   * Drop and reopen a subscribe stream silent for this many ms (finds a connection that died
   * without closing; the bridge sends a comment every 15 s). Default 0: never.
   */
  subscriberIdleTimeout?: number
}

/** An HTTP `Client`, plus the read-your-writes token it carries (settable to hand it between clients). */
export interface HttpClient extends Client {
  readonly kind: 'http'
  syncToken: string | undefined
}

const positive = (name: string, value: number): number => {
  if (!(typeof value === 'number' && value > 0)) {
    throw new TypeError(
      `${name} must be a positive number of milliseconds (or Infinity), received ${String(value)}`,
    )
  }
  return value
}

const parseUrl = (url: string): { base: string; origin: string; password: string } => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(
      `url must be an absolute http(s) URL such as https://bridge.internal:8079, received a ${typeof url}`,
    )
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(
      `url must start with http:// or https:// for the HTTP transport, received ${parsed.protocol}//`,
    )
  }
  const password = decodeURIComponent(parsed.password)
  parsed.username = ''
  parsed.password = ''
  return { base: parsed.href.replace(/\/+$/, ''), origin: parsed.origin, password }
}

/**
 * Creates a `Client` that speaks the Upstash REST protocol.
 *
 * @example
 * const client = createHttpClient({ url: 'https://bridge.internal:8079', token: env.FLOODGATE_TOKEN })
 * await client.send(['SET', 'greeting', 'hello'])
 * const [a, b] = await Promise.all([client.send(['GET', 'greeting']), client.send(['INCR', 'n'])]) // one request
 */
export const createHttpClient = (options: HttpClientOptions): HttpClient => {
  if (!options || typeof options !== 'object')
    throw new TypeError('createHttpClient() takes an options object with a url')
  const { base, origin, password } = parseUrl(options.url)
  const token = options.token ?? (password || undefined)
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new TypeError('token must be a non-empty string (the bridge token or the Upstash REST token)')
  }
  const responseEncoding = options.responseEncoding ?? 'base64'
  if (responseEncoding !== 'base64' && responseEncoding !== 'json') {
    throw new TypeError(`responseEncoding must be 'base64' or 'json', received ${String(responseEncoding)}`)
  }
  const retries = options.retries ?? 2
  if (!Number.isInteger(retries) || retries < 0) {
    throw new TypeError(`retries must be a whole number >= 0, received ${String(retries)}`)
  }
  const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike | undefined)
  if (typeof fetchFn !== 'function') {
    throw new TypeError('no fetch available: pass a fetch-compatible function as the fetch option')
  }
  const maxPipeline = options.maxPipeline ?? fetchFn.maxPipeline ?? 1000
  const maxPipelineBytes = options.maxPipelineBytes ?? MAX_BATCH_BYTES
  if (!Number.isInteger(maxPipeline) || maxPipeline < 1) {
    throw new TypeError(`maxPipeline must be a whole number >= 1, received ${String(maxPipeline)}`)
  }
  if (!(maxPipelineBytes >= 1))
    throw new TypeError(`maxPipelineBytes must be >= 1, received ${maxPipelineBytes}`)
  const base64 = responseEncoding === 'base64'
  const headers: Record<string, string> = { ...options.headers, 'Content-Type': 'application/json' }
  if (token !== undefined) headers.Authorization = `Bearer ${token}`
  if (base64) headers['Upstash-Encoding'] = 'base64'
  const endpoint: Endpoint = {
    url: base,
    origin,
    // Called unbound: some runtimes' fetch throws "Illegal invocation" on another `this`. The
    // global fetch gets no abort signal: following one costs undici an abort listener, a WeakRef
    // and a FinalizationRegistry entry per request (about 11 µs of CPU of 440 per request here,
    // in paired runs), and all it buys is closing a request whose callers have all timed out;
    // that request now runs to its end (the bridge answers within its upstream timeout) and its
    // answer is dropped. Retries still stop once no caller is waiting.
    fetch:
      fetchFn === globalThis.fetch
        ? (url, { signal, ...init }) => fetchFn(url, init as FetchInitLike)
        : (url, init) => fetchFn(url, init),
    headers,
    readYourWrites: options.readYourWrites ?? true,
    retries,
    backoff: options.backoff ?? ((attempt) => Math.min(1000, 50 * 2 ** attempt)),
    syncToken: undefined,
    commandHeader: false,
    headerCap: 8000,
  }
  const batcher = createBatcher({
    execute: (commands, single, signal) => exchange(endpoint, commands, single, signal),
    encode: encodeCommand,
    alone: isRaw,
    decode: (result, bytes) => decodeResult(result, base64, bytes),
    timeout: positive('timeout', options.timeout ?? 10_000),
    autoPipeline: options.autoPipeline ?? true,
    maxBatch: maxPipeline,
    size: encodedSize,
    maxBytes: maxPipelineBytes,
  })
  const client: HttpClient = {
    kind: 'http',
    get syncToken() {
      return endpoint.syncToken
    },
    set syncToken(value) {
      endpoint.syncToken = value
    },
    send: batcher.send,
    pipeline: batcher.pipeline,
    eval: (script, keys, args, sendOptions) => runScript(batcher.send, script, keys, args, sendOptions),
    // NOTE: attached by subscribe() (see sse-slot.ts), so Workers that never subscribe do not carry it.
    openSubscriber: (handlers, subscriberOptions) => openSse!(options, handlers, subscriberOptions),
    close: batcher.close,
  }
  return client
}
