/**
 * `responseCache()`: Hono middleware that caches GET and HEAD responses in a floodgate cache, as a
 * shared cache would (RFC 9111): keyed by method, URL and the request headers named in `vary`;
 * stored only when the handler's `Cache-Control` allows a shared cache to (`no-store`, `private`,
 * bare `no-cache` and `Set-Cookie` are not stored), fresh for `s-maxage` or `max-age` and served
 * stale for `stale-while-revalidate` while one refresh runs the handler again in the background.
 * Every cached response carries an `ETag` (the handler's, or a hash of the body); a request whose
 * `If-None-Match` matches it gets a 304. `Cache-Status` (RFC 9211) says how it was answered.
 */
import type { Context, Env, MiddlewareHandler } from 'hono'
import { parseCacheControl } from '../cache/cache-control.ts'
import type { GetOrSetOptions } from '../cache/options.ts'
import type { CacheResult, Factory } from '../cache/result.ts'
import type { Duration } from '../limit/duration.ts'
import { defer } from './background.ts'

/** What `responseCache()` needs of a cache: `createCache()`'s `load()`. */
export interface ResponseCacheLike {
  load<T>(key: string, factory: Factory<T>, options?: GetOrSetOptions): Promise<CacheResult<T>>
}

type Maybe<T> = T | Promise<T>

export interface ResponseCacheOptions<E extends Env = Env> {
  /** A cache from `createCache()`, or a function of the request returning one. */
  cache: ResponseCacheLike | ((c: Context<E>) => Maybe<ResponseCacheLike>)
  /**
   * Freshness for responses whose `Cache-Control` gives no `max-age` or `s-maxage`. Default: such
   * responses are not stored (the handler decides).
   */
  ttl?: Duration
  /**
   * Request headers that select a variant: they are part of the key. A response whose `Vary` names
   * any other header (or `*`) is not stored. Default none.
   */
  vary?: readonly string[]
  /** Tags for the stored response, for `cache.invalidateTags()`. */
  tags?: (c: Context<E>) => Maybe<readonly string[]>
  /** Statuses worth storing. Default `[200]`. */
  statuses?: readonly number[]
  /**
   * Cache requests that carry `Authorization`. Default `false`: a shared cache must not answer one
   * user's authorized request with another's (RFC 9111 §3.5).
   */
  authorized?: boolean
}

/** A stored response. */
interface Stored {
  readonly status: number
  readonly headers: [string, string][]
  readonly body: Uint8Array
  readonly etag: string
  readonly at: number
}

/** What the factory returns when the handler's response may not be stored. */
const UNCACHEABLE = { uncacheable: true } as const

const hashBody = async (body: Uint8Array): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body as Uint8Array<ArrayBuffer>))
  let hex = ''
  for (const b of digest.subarray(0, 12)) hex += b.toString(16).padStart(2, '0')
  return `"${hex}"`
}

/** RFC 9110 §13.1.2: weak comparison, `*` matching any. */
const matches = (ifNoneMatch: string | undefined, etag: string): boolean => {
  if (ifNoneMatch === undefined) return false
  const bare = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === bare
  })
}

const STATUS: Record<CacheResult<unknown>['status'], string> = {
  hit: 'floodgate; hit',
  stale: 'floodgate; hit; fwd=stale',
  miss: 'floodgate; fwd=miss; stored',
  fallback: 'floodgate; fwd=miss; detail=backend-unavailable',
}

/**
 * Caches the responses of the routes it is mounted on.
 *
 * @example
 * const cache = createCache({ client })
 * app.get('/products/:id', responseCache({ cache, vary: ['accept-language'] }), async (c) => {
 *   c.header('Cache-Control', 'public, max-age=60, stale-while-revalidate=300')
 *   return c.json(await db.product(c.req.param('id')))
 * })
 */
export const responseCache = <E extends Env = Env>({
  cache,
  ttl,
  vary = [],
  tags,
  statuses = [200],
  authorized = false,
}: ResponseCacheOptions<E>): MiddlewareHandler<E> => {
  if (!cache || (typeof cache !== 'function' && typeof cache.load !== 'function')) {
    throw new TypeError(
      'responseCache: cache must be a cache from createCache(), or a function of c returning one',
    )
  }
  const varied = vary.map((name) => name.toLowerCase())
  const fallbackTtl = ttl
  return async function responseCache(c, next) {
    const method = c.req.method
    if (
      (method !== 'GET' && method !== 'HEAD') ||
      (!authorized && c.req.header('authorization') !== undefined)
    ) {
      return next()
    }
    const ctx = c as unknown as Context<E>
    const active = typeof cache === 'function' ? await cache(ctx) : cache
    const key = `${method} ${c.req.url}${varied.map((h) => `\n${h}: ${c.req.header(h) ?? ''}`).join('')}`
    let ran = false
    let answered = false
    const factory: Factory<Stored | typeof UNCACHEABLE> = async ({ skip, setOptions }) => {
      if (answered) {
        // A background refresh, after this request was answered stale: the handler's response must
        // become c.res again, which Hono only does for a context not yet finalized.
        c.res = undefined
        c.finalized = false
      }
      await next()
      ran = true
      const res = c.res
      const control = parseCacheControl(res.headers.get('cache-control'))
      const variesBy = (res.headers.get('vary') ?? '').split(',').map((h) => h.trim().toLowerCase())
      const freshFor = control.maxAge ?? (fallbackTtl === undefined ? 0 : undefined)
      if (
        !statuses.includes(res.status) ||
        !control.storable ||
        freshFor === 0 ||
        res.headers.has('set-cookie') ||
        variesBy.some((h) => h !== '' && !varied.includes(h))
      ) {
        skip()
        return UNCACHEABLE
      }
      const body = new Uint8Array(await res.clone().arrayBuffer())
      const etag = res.headers.get('etag') ?? (await hashBody(body))
      setOptions({
        ttl: freshFor === undefined ? fallbackTtl! : freshFor * 1000,
        grace: control.staleWhileRevalidate * 1000 || false,
      })
      const headers = [...res.headers].filter(([name]) => name !== 'etag')
      return { status: res.status, headers: [...headers, ['etag', etag]], body, etag, at: Date.now() }
    }
    const options = tags ? { tags: await tags(ctx) } : undefined
    const result = await active.load(key, factory, options)
    defer(c as Context, result.pending)
    const stored = result.value
    if ('uncacheable' in stored) {
      // Another request's handler ran and its response may not be shared: run this one's own.
      if (!ran) await next()
      return
    }
    const headers = new Headers(stored.headers)
    headers.set('age', String(Math.max(0, Math.floor((Date.now() - stored.at) / 1000))))
    // A miss answered by another request's handler run is a collapsed one (RFC 9211 §2.4).
    const status = result.status === 'miss' && !ran ? `${STATUS.miss}; collapsed` : STATUS[result.status]
    headers.set('cache-status', status)
    // Replacing c.res copies the old response's headers onto the new one; this one is complete.
    c.res = undefined
    answered = true
    if (matches(c.req.header('if-none-match'), stored.etag)) {
      for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name)
      c.res = new Response(null, { status: 304, headers })
      return
    }
    c.res = new Response(method === 'HEAD' ? null : (stored.body as Uint8Array<ArrayBuffer>), {
      status: stored.status,
      headers,
    })
  }
}
