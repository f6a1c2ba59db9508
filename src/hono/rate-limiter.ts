/**
 * `rateLimiter()`: hono-rate-limiter's middleware, by name and options, on floodgate's
 * `rateLimit()`, so an app ports by changing its import. It takes `windowMs`, `limit` (a number or
 * a function of the request), `keyGenerator`, `standardHeaders` (`'draft-6'`, `'draft-7'`, and
 * also `'draft-8'` and `rateLimit()`'s styles), `message`, `statusCode`, `handler`, `skip`,
 * `skipSuccessfulRequests`, `skipFailedRequests`, `requestWasSuccessful` and
 * `requestPropertyName`; plus `client` (where to count, default in process) or any `rateLimit()`
 * option, `limiter` included.
 */
import type { Context, Env, MiddlewareHandler, Next } from 'hono'
import type { Client } from '../client/types.ts'
import type { RateLimitResult } from '../limit/result.ts'
import { defer } from './background.ts'
import { draftHeaders, type HeaderDraft } from './draft-headers.ts'
import {
  type HeaderStyle,
  pickHeaders,
  type RateLimitEnv,
  type RateLimitOptions,
  rateLimit,
} from './rate-limit.ts'
import { windowLimiter } from './window-limiter.ts'

type Maybe<T> = T | Promise<T>

/** `c.get('rateLimit')` under `rateLimiter()`: the decision plus hono-rate-limiter's `used` and `resetTime`. */
export type RateLimitInfo = RateLimitResult & { readonly used: number; readonly resetTime: Date }

export interface RateLimiterOptions<E extends Env = Env>
  extends Omit<RateLimitOptions<E>, 'limiter' | 'headers' | 'key'> {
  /** A floodgate limiter instead of `windowMs`/`limit`. */
  limiter?: RateLimitOptions<E>['limiter']
  /** The window in ms. Default 60000. */
  windowMs?: number
  /** Calls per window, or a function of the request. Default 5. */
  limit?: number | ((c: Context<E>) => Maybe<number>)
  /** Where to count. Default: in process, as hono-rate-limiter's MemoryStore. */
  client?: Client
  /** Key prefix on `client`. Default `'hrl'`. */
  prefix?: string
  /** The identifier of a request. Default: the client IP, as `rateLimit()`'s `key`. */
  keyGenerator?: (c: Context<E>) => Maybe<string>
  /** `true` is `'draft-6'` (the default); `false` sends none, not even `Retry-After`. */
  standardHeaders?: boolean | HeaderDraft | HeaderStyle
  /** The refusal's body. Default "Too many requests, please try again later." */
  message?: string | Record<string, unknown> | ((c: Context<E>) => Maybe<string | Record<string, unknown>>)
  /** The refusal's status. Default 429. */
  statusCode?: number
  /** Answers a refusal instead of `message` and `statusCode`. */
  handler?: (c: Context<E>, next: Next, options: RateLimiterOptions<E>) => unknown
  /** Give back the cost of requests that succeeded (`requestWasSuccessful`). Default false. */
  skipSuccessfulRequests?: boolean
  /** Give back the cost of requests that failed or threw. Default false. */
  skipFailedRequests?: boolean
  /** Default: the response status is below 400. */
  requestWasSuccessful?: (c: Context<E>) => Maybe<boolean>
  /** Where the decision goes on the context. Default `'rateLimit'`. */
  requestPropertyName?: string
}

const DRAFTS = new Set(['draft-6', 'draft-7', 'draft-8'])

/**
 * hono-rate-limiter's `rateLimiter`, on floodgate.
 *
 * @example
 * import { rateLimiter } from 'floodgate/hono' // was: from 'hono-rate-limiter'
 * app.use(rateLimiter({ windowMs: 15 * 60 * 1000, limit: 100, keyGenerator: (c) => c.req.header('x-api-key') ?? '' }))
 */
export const rateLimiter = <E extends Env = Env>(
  options: RateLimiterOptions<E>,
): MiddlewareHandler<E & RateLimitEnv> => {
  const { statusCode = 429, skipSuccessfulRequests = false, skipFailedRequests = false } = options
  const { requestPropertyName = 'rateLimit', standardHeaders = 'draft-6', requestWasSuccessful } = options
  // The identifier each request was decided for, to give its cost back after the handler.
  const identifiers = new WeakMap<object, string>()
  const style = standardHeaders === true ? 'draft-6' : standardHeaders === false ? 'none' : standardHeaders
  const succeeded = requestWasSuccessful ?? ((c: Context<E>) => c.res.status < 400)
  const limiter = options.limiter ?? windowLimiter(options)
  const middleware = rateLimit<E>({
    ...options,
    limiter,
    ...(options.keyGenerator ? { key: options.keyGenerator } : {}),
    headers: async (c, result, identifier) => {
      identifiers.set(c, identifier)
      const info: RateLimitInfo = {
        ...result,
        used: result.limit - result.remaining,
        resetTime: new Date(result.reset),
      }
      c.set(requestPropertyName as never, info as never)
      if (standardHeaders === false) return []
      if (DRAFTS.has(style)) return draftHeaders(result, style as HeaderDraft, identifier)
      return pickHeaders(result, style as HeaderStyle)
    },
    onLimit: async (c, result, next) => {
      if (options.handler) {
        // A handler that answers through `c` (or calls `next`) leaves its response on `c.res`.
        const response = await options.handler(c, next, { ...options, statusCode })
        return response instanceof Response ? response : c.res
      }
      if (options.limiter && options.onLimit && options.message === undefined) {
        return options.onLimit(c, result, next)
      }
      const message = typeof options.message === 'function' ? await options.message(c) : options.message
      const body = message ?? 'Too many requests, please try again later.'
      c.status(statusCode as 429)
      return typeof body === 'string' ? c.text(body) : c.json(body)
    },
  })
  if (!skipFailedRequests && !skipSuccessfulRequests) return middleware
  return async function rateLimiter(c, next) {
    const refused = await middleware(c, next)
    const decision = c.get('rateLimit' as never) as RateLimitResult | undefined
    if (refused !== undefined || decision === undefined || !decision.success) return refused
    // Hono's compose catches what the handler throws and sets `c.error`: such a request failed.
    const ctx = c as unknown as Context<E>
    const ok = c.error === undefined && (await succeeded(ctx))
    if (ok ? !skipSuccessfulRequests : !skipFailedRequests) return
    const active = typeof limiter === 'function' ? await limiter(ctx) : limiter
    const units = options.cost ? await options.cost(ctx) : 1
    defer(
      c as unknown as Context,
      active.limit(identifiers.get(c) ?? '', { cost: -units }).catch(() => undefined),
    )
  }
}
