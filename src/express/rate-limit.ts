/**
 * `rateLimit()`: Express middleware with express-rate-limit's option names and meanings
 * (`windowMs`, `limit`/`max`, `standardHeaders`, `legacyHeaders`, `keyGenerator`, `handler`,
 * `message`, `statusCode`, `skip`, `skipSuccessfulRequests`, `skipFailedRequests`,
 * `requestPropertyName`, `passOnStoreError`), deciding with a floodgate limiter: one atomic script
 * per request on Valkey's clock, a block cache, and a timeout after which the store's silence is
 * answered by policy instead of a hanging request. The client IP is `req.ip`, so Express's
 * `trust proxy` setting decides which `X-Forwarded-For` entry counts; IPv6 clients are keyed by
 * their /56, as express-rate-limit does.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { createClient } from '../client/create-client.ts'
import type { Client } from '../client/types.ts'
import { fixedWindow } from '../limit/fixed-window.ts'
import { ipKey } from '../limit/ip-key.ts'
import { createLimiter, type Limiter } from '../limit/limiter.ts'
import type { RateLimitResult } from '../limit/result.ts'
import { DRAFTS, draftHeaders, policyName, type StandardHeaders } from './draft-headers.ts'

type Maybe<T> = T | Promise<T>

/** What `req.rateLimit` holds after the middleware ran (express-rate-limit's `RateLimitInfo`). */
export interface RateLimitInfo {
  limit: number
  /** Units counted in this window, this request included. */
  used: number
  remaining: number
  resetTime: Date
  key: string
  /** floodgate's full decision: `retryAfter`, every policy, `reason` on a timeout. */
  result: RateLimitResult
}

export interface RateLimitOptions {
  /** The window in ms; default 60,000. Ignored with `limiter`. */
  windowMs?: number
  /** Requests per window per key; default 5. 0 refuses every request. Ignored with `limiter`. */
  limit?: number | ((req: Request, res: Response) => Maybe<number>)
  /** Old name of `limit`. */
  max?: number | ((req: Request, res: Response) => Maybe<number>)
  /**
   * A floodgate limiter (`createLimiter()`: sliding window, token bucket, GCRA, several limits at
   * once) instead of the fixed window that `windowMs` and `limit` describe.
   */
  limiter?: Pick<Limiter, 'limit' | 'limits'>
  /** The backend for the fixed window; default an in-process memory client (like express-rate-limit's MemoryStore). */
  client?: Client
  /** Key prefix for the fixed window; default `'fg:rl:'`. */
  prefix?: string
  /** Ms to wait for the backend before `passOnStoreError` decides; default 1000. */
  timeout?: number
  /** `true` admits requests while the store fails or is slow (fail open); default `false` (fail closed). */
  passOnStoreError?: boolean
  /** `'draft-6'` (or `true`), `'draft-7'`, `'draft-8'`, `'ietf'` (the current draft); default `false`. */
  standardHeaders?: StandardHeaders
  /** `X-RateLimit-Limit/-Remaining/-Reset`; default `true`. */
  legacyHeaders?: boolean
  /** draft-8 policy name; default like `100-in-1min`. */
  identifier?: string | ((req: Request, res: Response) => Maybe<string>)
  /** The key to count by; default the client IP (`req.ip`), IPv6 by its `ipv6Subnet` prefix. */
  keyGenerator?: (req: Request, res: Response) => Maybe<string>
  /** Prefix length for IPv6 client keys; default 56, as in express-rate-limit. */
  ipv6Subnet?: number
  /** Answers a refused request; default: `statusCode` and `message`. */
  handler?: (req: Request, res: Response, next: NextFunction, options: RateLimitOptions) => unknown
  /** Body of the default refusal; default `'Too many requests, please try again later.'`. */
  message?: unknown
  /** Status of the default refusal; default 429. */
  statusCode?: number
  /** Return true to let a request through uncounted. */
  skip?: (req: Request, res: Response) => Maybe<boolean>
  /** Give back the unit of requests that succeeded (`requestWasSuccessful`) once they finish. */
  skipSuccessfulRequests?: boolean
  /** Give back the unit of requests that failed (status ≥ 400, or the connection closed early). */
  skipFailedRequests?: boolean
  /** Default `res.statusCode < 400`. */
  requestWasSuccessful?: (req: Request, res: Response) => Maybe<boolean>
  /** Where the info goes on `req`; default `'rateLimit'`. */
  requestPropertyName?: string
}

const MESSAGE = 'Too many requests, please try again later.'

const sendMessage = async (req: Request, res: Response, _next: NextFunction, options: RateLimitOptions) => {
  const { message = MESSAGE, statusCode = 429 } = options
  res.status(statusCode)
  const body =
    typeof message === 'function'
      ? await (message as (q: Request, s: Response) => unknown)(req, res)
      : message
  if (!res.writableEnded) res.send(body)
}

const checkCount = (value: unknown, name: string): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  throw new TypeError(`rateLimit: ${name} must be a whole number ≥ 0, received ${String(value)}`)
}

/**
 * Rate limits the routes it is mounted on.
 *
 * @example
 * app.use('/api', rateLimit({ windowMs: 60_000, limit: 100, standardHeaders: 'draft-8', client }))
 * app.post('/login', rateLimit({ limiter: createLimiter({ client, limits: slidingWindow(5, '15 m') }) }), login)
 */
export const rateLimit = (options: RateLimitOptions = {}): RequestHandler => {
  const {
    windowMs = 60_000,
    limiter,
    client,
    prefix = 'fg:rl:',
    timeout = 1000,
    passOnStoreError = false,
    standardHeaders = false,
    legacyHeaders = true,
    identifier,
    ipv6Subnet = 56,
    keyGenerator = (req: Request) => ipKey(req.ip ?? 'unknown', { ipv6Subnet }),
    handler = sendMessage,
    skip,
    skipSuccessfulRequests = false,
    skipFailedRequests = false,
    requestWasSuccessful = (_req: Request, res: Response) => res.statusCode < 400,
    requestPropertyName = 'rateLimit',
  } = options
  const limitOption = options.limit ?? options.max ?? 5
  if (!DRAFTS.includes(standardHeaders)) {
    throw new TypeError(
      `rateLimit: standardHeaders must be 'draft-6', 'draft-7', 'draft-8', 'ietf', true or false, received ${String(standardHeaders)}`,
    )
  }
  if (limiter && typeof limiter.limit !== 'function') {
    throw new TypeError('rateLimit: limiter must come from createLimiter()')
  }
  if (!limiter && !(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    throw new TypeError(`rateLimit: windowMs must be a positive whole number of ms, received ${windowMs}`)
  }
  if (typeof limitOption !== 'function') checkCount(limitOption, 'limit')
  ipKey('::', { ipv6Subnet }) // checks the option now, not on the first request

  // One limiter per distinct limit: a `limit` function usually answers from a small set (plans).
  const backend = limiter ? undefined : (client ?? createClient('memory:'))
  const byLimit = new Map<number, Pick<Limiter, 'limit' | 'limits'>>()
  const limiterFor = (limit: number) => {
    let found = byLimit.get(limit)
    if (!found) {
      found = createLimiter({
        client: backend!,
        limits: fixedWindow(limit, windowMs),
        prefix,
        timeout,
        onTimeout: passOnStoreError ? 'allow' : 'deny',
      })
      byLimit.set(limit, found)
    }
    return found
  }

  return async function rateLimit(req: Request, res: Response, next: NextFunction) {
    try {
      if (skip && (await skip(req, res))) return next()
      const key = await keyGenerator(req, res)
      let active = limiter
      if (!active) {
        const limit = checkCount(
          typeof limitOption === 'function' ? await limitOption(req, res) : limitOption,
          'limit',
        )
        if (limit === 0) return void (await handler(req, res, next, options))
        active = limiterFor(limit)
      }
      const result = await active.limit(key)
      const bound = result.policies.find((p) => p.name === result.policy) ?? result.policies[0]
      const window = bound?.window ?? windowMs
      const resetAfter = bound?.resetAfter ?? Math.max(0, result.reset - Date.now())
      const info: RateLimitInfo = {
        limit: result.limit,
        used: result.success ? result.limit - result.remaining : result.limit + 1,
        remaining: result.remaining,
        resetTime: new Date(Date.now() + resetAfter),
        key,
        result,
      }
      ;(req as unknown as Record<string, unknown>)[requestPropertyName] = info
      let name = ''
      if (standardHeaders === 'draft-8') {
        name =
          typeof identifier === 'function'
            ? await identifier(req, res)
            : (identifier ?? policyName(result.limit, window))
      }
      if (!res.headersSent) {
        const input = { result, resetAfter, window, name, key }
        for (const [header, value] of await draftHeaders(standardHeaders, legacyHeaders, input)) {
          // Appended where a limiter mounted earlier set the field: the IETF fields are lists.
          if (res.hasHeader(header)) res.append(header, value)
          else res.setHeader(header, value)
        }
      }
      if (!result.success) return void (await handler(req, res, next, options))
      if (skipSuccessfulRequests || skipFailedRequests) {
        let refunded = false
        const refund = () => {
          if (refunded) return
          refunded = true
          // The unit goes back only within its own window; a later one owes it nothing.
          if (Date.now() < info.resetTime.getTime()) void active.limit(key, { cost: -1 }).catch(() => {})
        }
        res.once('finish', async () => {
          const success = await requestWasSuccessful(req, res)
          if (success ? skipSuccessfulRequests : skipFailedRequests) refund()
        })
        res.once('close', () => {
          if (!res.writableEnded && skipFailedRequests) refund()
        })
      }
      next()
    } catch (error) {
      next(error)
    }
  }
}
