/**
 * `rateLimit()`: Hono middleware around a floodgate limiter. It keys the request (by default the
 * client IP, read the runtime's way), asks the limiter, sets `c.var.rateLimit`, adds the rate-limit
 * headers to the response and answers a denial with 429 before the handler runs. The limiter's
 * `pending` work goes to `waitUntil` where the runtime has one.
 *
 * It also takes hono-rate-limiter's options (`windowMs`, `limit`, `keyGenerator`,
 * `standardHeaders`, `message`, `statusCode`, `handler`, `skipSuccessfulRequests`,
 * `skipFailedRequests`, `requestWasSuccessful`, `requestPropertyName`), so an app ports by its
 * import; `rateLimiter` is the same function under hono-rate-limiter's name.
 */
import type { Context, Env, MiddlewareHandler, Next } from 'hono'
import type { Client } from '../client/types.ts'
import type { TrustProxy } from '../context/client-ip.ts'
import { rateLimitHeaders } from '../limit/headers.ts'
import { ipKey } from '../limit/ip-key.ts'
import type { LimitOptions } from '../limit/limiter.ts'
import type { RateLimitResult } from '../limit/result.ts'
import { defer } from './background.ts'
import { clientIp } from './client-ip.ts'
import { draftHeaders, type HeaderDraft } from './draft-headers.ts'
import { windowLimiter } from './window-limiter.ts'

/** What `rateLimit()` needs of a limiter: `createLimiter()`'s `limit()`. */
export interface LimiterLike {
  limit(identifier: string, options?: LimitOptions): Promise<RateLimitResult>
}

/**
 * `c.get('rateLimit')`: the last decision, plus hono-rate-limiter's `used` and `resetTime`.
 * Add it to an app's types with `new Hono<RateLimitEnv>()`.
 */
export type RateLimitInfo = RateLimitResult & { readonly used: number; readonly resetTime: Date }
export type RateLimitEnv = { Variables: { rateLimit: RateLimitInfo } }

type Maybe<T> = T | Promise<T>

/**
 * Which headers to send: `'ietf'` (default) `RateLimit-Policy` and `RateLimit` from
 * draft-ietf-httpapi-ratelimit-headers; `'legacy'` `X-RateLimit-Limit/-Remaining/-Reset`;
 * `'both'`; `'none'`. `Retry-After` goes on every 429 whatever the style.
 */
export type HeaderStyle = 'ietf' | 'legacy' | 'both' | 'none'

export interface RateLimitOptions<E extends Env = Env> {
  /**
   * A limiter, or a function of the request returning one. Without it, `windowMs` and `limit`
   * build one (hono-rate-limiter's form): a fixed window on `client`.
   */
  limiter?: LimiterLike | ((c: Context<E>) => Maybe<LimiterLike>)
  /** hono-rate-limiter: the window in ms. Default 60000. */
  windowMs?: number
  /** hono-rate-limiter: calls per window, or a function of the request. Default 5. */
  limit?: number | ((c: Context<E>) => Maybe<number>)
  /** The backend of the `windowMs`/`limit` form. Default: in-process memory, as hono-rate-limiter's MemoryStore. */
  client?: Client
  /** Key prefix of the `windowMs`/`limit` form. Default `'hrl'`. */
  prefix?: string
  /**
   * The identifier to limit by. Default: the client IP (see `trustProxy`), or `'unknown'` when the
   * runtime gives none, so such requests share one budget rather than escape the limit. Return
   * `undefined` to let the request through unlimited (e.g. no username to key on yet).
   */
  key?: (c: Context<E>) => Maybe<string | undefined>
  /** hono-rate-limiter's name for `key`. */
  keyGenerator?: (c: Context<E>) => Maybe<string>
  /** For the default key: how many reverse proxies' `X-Forwarded-For` entries to trust. Default `false`. */
  trustProxy?: TrustProxy
  /** For the default key: IPv6 clients are limited per prefix of this many bits (default 64). */
  ipv6Subnet?: number
  /** Units this request consumes. Default 1. */
  cost?: (c: Context<E>) => Maybe<number>
  /** Return true to let a request through without asking the limiter (health checks, admins). */
  skip?: (c: Context<E>) => Maybe<boolean>
  /** Response headers; default `'ietf'` (with `limiter`) or `'draft-6'` (hono-rate-limiter's form). */
  headers?: HeaderStyle
  /**
   * hono-rate-limiter's header option: `true` is `'draft-6'`, `false` sends none (not even
   * `Retry-After`, as there); also `'draft-8'` and the `headers` styles.
   */
  standardHeaders?: boolean | HeaderDraft | HeaderStyle
  /** Builds the 429. Default: `{"error":"Too many requests","retryAfter":<seconds>}` with `Retry-After`. */
  onLimit?: (c: Context<E>, result: RateLimitResult) => Maybe<Response>
  /**
   * hono-rate-limiter: the body of the refusal (text, JSON, or a function of the request). It is
   * the default refusal in the `windowMs`/`limit` form: "Too many requests, please try again later."
   */
  message?: string | Record<string, unknown> | ((c: Context<E>) => Maybe<string | Record<string, unknown>>)
  /** hono-rate-limiter: the refusal's status. Default 429. */
  statusCode?: number
  /** hono-rate-limiter: answers a refusal (`options` has `statusCode` and `message`). */
  handler?: (c: Context<E>, next: Next, options: RateLimitOptions<E>) => unknown
  /** Give back the cost of requests that succeeded (`requestWasSuccessful`). Default false. */
  skipSuccessfulRequests?: boolean
  /** Give back the cost of requests that failed (or threw). Default false. */
  skipFailedRequests?: boolean
  /** Default: the response status is below 400. */
  requestWasSuccessful?: (c: Context<E>) => Maybe<boolean>
  /** Where the decision goes on the context. Default `'rateLimit'`. */
  requestPropertyName?: string
}

const IETF = new Set(['RateLimit-Policy', 'RateLimit'])
const RETRY = 'Retry-After'
const STYLES: readonly (HeaderStyle | HeaderDraft)[] = [
  'ietf',
  'legacy',
  'both',
  'none',
  'draft-6',
  'draft-7',
  'draft-8',
]

const pickHeaders = (result: RateLimitResult, style: HeaderStyle): [string, string][] =>
  Object.entries(rateLimitHeaders(result, { legacy: style === 'legacy' || style === 'both' })).filter(
    ([name]) => name === RETRY || (IETF.has(name) ? style === 'ietf' || style === 'both' : style !== 'ietf'),
  )

const tooMany = (c: Context, result: RateLimitResult): Response =>
  c.json({ error: 'Too many requests', retryAfter: Math.max(1, Math.ceil(result.retryAfter / 1000)) }, 429)

const styleOf = <E extends Env>(options: RateLimitOptions<E>): HeaderStyle | HeaderDraft => {
  const given = options.standardHeaders
  if (given === true) return 'draft-6'
  if (given === false) return 'none'
  return given ?? options.headers ?? (options.limiter ? 'ietf' : 'draft-6')
}

/**
 * Rate limits the routes it is mounted on.
 *
 * @example
 * const limiter = createLimiter({ client, limits: slidingWindow(100, '1 m') })
 * app.use('/api/*', rateLimit({ limiter }))
 * app.get('/api/me', (c) => c.json({ remaining: c.var.rateLimit.remaining }))
 */
export const rateLimit = <E extends Env = Env>(
  options: RateLimitOptions<E>,
): MiddlewareHandler<E & RateLimitEnv> => {
  const { trustProxy = false, ipv6Subnet = 64, cost, skip, statusCode = 429 } = options
  const {
    skipSuccessfulRequests = false,
    skipFailedRequests = false,
    requestPropertyName = 'rateLimit',
  } = options
  const limiter = options.limiter ?? windowLimiter(options)
  if (!limiter || (typeof limiter !== 'function' && typeof limiter.limit !== 'function')) {
    throw new TypeError(
      'rateLimit: limiter must be a limiter from createLimiter(), or a function of c returning one',
    )
  }
  const style = styleOf(options)
  if (!STYLES.includes(style)) {
    throw new TypeError(`rateLimit: headers must be one of ${STYLES.join(', ')}, received ${String(style)}`)
  }
  ipKey('::', { ipv6Subnet }) // validates the option now, not on the first request
  const keyOf =
    options.key ??
    options.keyGenerator ??
    ((c: Context<E>) => ipKey(clientIp(c as Context, { trustProxy }) ?? 'unknown', { ipv6Subnet }))
  const succeeded = options.requestWasSuccessful ?? ((c: Context<E>) => c.res.status < 400)
  const refusal = async (
    c: Context<E>,
    next: Next,
    result: RateLimitResult,
  ): Promise<Response | undefined> => {
    if (options.handler) {
      const response = await options.handler(c, next, { ...options, statusCode })
      return response instanceof Response ? response : undefined
    }
    if (options.limiter === undefined || options.message !== undefined || options.statusCode !== undefined) {
      const message = typeof options.message === 'function' ? await options.message(c) : options.message
      const body = message ?? 'Too many requests, please try again later.'
      c.status(statusCode as 429)
      return typeof body === 'string' ? c.text(body) : c.json(body)
    }
    return options.onLimit ? options.onLimit(c, result) : tooMany(c as unknown as Context, result)
  }

  return async function rateLimit(c, next) {
    const ctx = c as unknown as Context<E>
    if (skip && (await skip(ctx))) return next()
    const identifier = await keyOf(ctx)
    if (identifier === undefined) return next()
    const active = typeof limiter === 'function' ? await limiter(ctx) : limiter
    const units = cost ? await cost(ctx) : 1
    const result = await active.limit(identifier, { cost: units })
    defer(c as Context, result.pending)
    const info: RateLimitInfo = {
      ...result,
      used: result.limit - result.remaining,
      resetTime: new Date(result.reset),
    }
    c.set(requestPropertyName as 'rateLimit', info)
    const fields =
      options.standardHeaders === false
        ? []
        : style.startsWith('draft-')
          ? await draftHeaders(result, style as HeaderDraft, identifier)
          : pickHeaders(result, style as HeaderStyle)
    const refund = () =>
      defer(
        c as Context,
        active.limit(identifier, { cost: -units }).catch(() => undefined),
      )
    if (!result.success) {
      const response = await refusal(ctx, next, result)
      if (response === undefined) return
      const denied = new Response(response.body, response)
      for (const [name, value] of fields) if (!denied.headers.has(name)) denied.headers.set(name, value)
      return denied
    }
    try {
      await next()
    } catch (error) {
      if (skipFailedRequests) refund()
      throw error
    }
    if (skipFailedRequests || skipSuccessfulRequests) {
      const ok = await succeeded(ctx)
      if ((ok && skipSuccessfulRequests) || (!ok && skipFailedRequests)) refund()
    }
    // Two limiters on one route (per IP and per user): the IETF fields are lists, so each adds its
    // policy; the legacy fields hold one value, the outermost limiter's.
    for (const [name, value] of fields) c.header(name, value, { append: IETF.has(name) })
  }
}

/** hono-rate-limiter's name for `rateLimit`, so an app ports by changing its import. */
export const rateLimiter = rateLimit
