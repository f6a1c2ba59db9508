/**
 * `rateLimit()`: Hono middleware around a floodgate limiter. It keys the request (by default the
 * client IP, read the runtime's way), asks the limiter, sets `c.var.rateLimit`, adds the rate-limit
 * headers to the response and answers a denial with 429 before the handler runs. The limiter's
 * `pending` work goes to `waitUntil` where the runtime has one. hono-rate-limiter's options are
 * `rateLimiter()`'s (rate-limiter.ts), built on this one's two hooks (`headers` as a function,
 * `onLimit` with `next`), so apps that never use them do not ship them.
 */
import type { Context, Env, MiddlewareHandler, Next } from 'hono'
import type { TrustProxy } from '../context/client-ip.ts'
import { rateLimitHeaders } from '../limit/headers.ts'
import { ipKey } from '../limit/ip-key.ts'
import type { LimitOptions } from '../limit/limiter.ts'
import type { RateLimitResult } from '../limit/result.ts'
import { defer } from './background.ts'
import { clientIp } from './client-ip.ts'

/** What `rateLimit()` needs of a limiter: `createLimiter()`'s `limit()`. */
export interface LimiterLike {
  limit(identifier: string, options?: LimitOptions): Promise<RateLimitResult>
}

/** Adds `c.get('rateLimit')` (the last decision) to an app's types: `new Hono<RateLimitEnv>()`. */
export type RateLimitEnv = { Variables: { rateLimit: RateLimitResult } }

type Maybe<T> = T | Promise<T>

/**
 * Which headers to send: `'ietf'` (default) `RateLimit-Policy` and `RateLimit` from
 * draft-ietf-httpapi-ratelimit-headers; `'legacy'` `X-RateLimit-Limit/-Remaining/-Reset`;
 * `'both'`; `'none'`. `Retry-After` goes on every 429 whatever the style.
 */
export type HeaderStyle = 'ietf' | 'legacy' | 'both' | 'none'

/** Response headers for a decision, as `[name, value]` pairs (what `rateLimiter()`'s drafts use). */
export type HeaderFields<E extends Env = Env> = (
  c: Context<E>,
  result: RateLimitResult,
  identifier: string,
) => Maybe<[string, string][]>

export interface RateLimitOptions<E extends Env = Env> {
  /** A limiter, or a function of the request returning one (e.g. built on a per-request client on Workers). */
  limiter: LimiterLike | ((c: Context<E>) => Maybe<LimiterLike>)
  /**
   * The identifier to limit by. Default: the client IP (see `trustProxy`), or `'unknown'` when the
   * runtime gives none, so such requests share one budget rather than escape the limit. Return
   * `undefined` to let the request through unlimited (e.g. no username to key on yet).
   */
  key?: (c: Context<E>) => Maybe<string | undefined>
  /** For the default key: how many reverse proxies' `X-Forwarded-For` entries to trust. Default `false`. */
  trustProxy?: TrustProxy
  /**
   * For the default key: IPv6 clients are limited per prefix of this many bits (default 64, a
   * typical customer allocation), since one client can rotate through its whole prefix.
   */
  ipv6Subnet?: number
  /** Units this request consumes. Default 1. */
  cost?: (c: Context<E>) => Maybe<number>
  /** Return true to let a request through without asking the limiter (health checks, admins). */
  skip?: (c: Context<E>) => Maybe<boolean>
  /** Response headers: a style (default `'ietf'`), or a function giving them. */
  headers?: HeaderStyle | HeaderFields<E>
  /**
   * Builds the refusal. Default: `{"error":"Too many requests","retryAfter":<seconds>}`, 429, with
   * `Retry-After`.
   */
  onLimit?: (c: Context<E>, result: RateLimitResult, next: Next) => Maybe<Response>
}

const IETF = new Set(['RateLimit-Policy', 'RateLimit'])
const RETRY = 'Retry-After'
const STYLES: readonly HeaderStyle[] = ['ietf', 'legacy', 'both', 'none']

/** The headers of a `HeaderStyle` for `result`. */
export const pickHeaders = (result: RateLimitResult, style: HeaderStyle): [string, string][] =>
  Object.entries(rateLimitHeaders(result, { legacy: style === 'legacy' || style === 'both' })).filter(
    ([name]) => name === RETRY || (IETF.has(name) ? style === 'ietf' || style === 'both' : style !== 'ietf'),
  )

// biome-ignore lint/suspicious/noExplicitAny: the default refusal serves every app's Env.
const tooMany = (c: Context<any>, result: RateLimitResult): Response =>
  c.json({ error: 'Too many requests', retryAfter: Math.max(1, Math.ceil(result.retryAfter / 1000)) }, 429)

/**
 * Rate limits the routes it is mounted on.
 *
 * @example
 * const limiter = createLimiter({ client, limits: slidingWindow(100, '1 m') })
 * app.use('/api/*', rateLimit({ limiter }))
 * app.get('/api/me', (c) => c.json({ remaining: c.var.rateLimit.remaining }))
 */
export const rateLimit = <E extends Env = Env>({
  limiter,
  key,
  trustProxy = false,
  ipv6Subnet = 64,
  cost,
  skip,
  headers = 'ietf',
  onLimit = tooMany,
}: RateLimitOptions<E>): MiddlewareHandler<E & RateLimitEnv> => {
  if (!limiter || (typeof limiter !== 'function' && typeof limiter.limit !== 'function')) {
    throw new TypeError(
      'rateLimit: limiter must be a limiter from createLimiter(), or a function of c returning one',
    )
  }
  if (typeof headers !== 'function' && !STYLES.includes(headers)) {
    throw new TypeError(`rateLimit: headers must be one of ${STYLES.join(', ')}, received ${String(headers)}`)
  }
  ipKey('::', { ipv6Subnet }) // validates the option now, not on the first request
  const keyOf =
    key ?? ((c: Context<E>) => ipKey(clientIp(c as Context, { trustProxy }) ?? 'unknown', { ipv6Subnet }))
  return async function rateLimit(c, next) {
    const ctx = c as unknown as Context<E>
    if (skip && (await skip(ctx))) return next()
    const identifier = await keyOf(ctx)
    if (identifier === undefined) return next()
    const active = typeof limiter === 'function' ? await limiter(ctx) : limiter
    const result = await active.limit(identifier, { cost: cost ? await cost(ctx) : 1 })
    defer(c as Context, result.pending)
    c.set('rateLimit', result)
    const fields =
      typeof headers === 'function' ? await headers(ctx, result, identifier) : pickHeaders(result, headers)
    if (!result.success) {
      const response = await onLimit(ctx, result, next)
      const denied = new Response(response.body, response)
      for (const [name, value] of fields) if (!denied.headers.has(name)) denied.headers.set(name, value)
      return denied
    }
    await next()
    // Two limiters on one route (per IP and per user): the IETF fields are lists, so each adds its
    // policy; the legacy fields hold one value, the outermost limiter's.
    for (const [name, value] of fields) c.header(name, value, { append: IETF.has(name) })
  }
}
