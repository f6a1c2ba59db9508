/**
 * `rateLimit`: a Fastify plugin with @fastify/rate-limit's option names and meanings (`max`,
 * `timeWindow`, `keyGenerator`, `allowList`, `hook`, `onExceeding`, `onExceeded`, `onBanReach`,
 * `errorResponseBuilder`, `continueExceeding`, `ban`, `skipOnError`, `addHeaders`,
 * `addHeadersOnExceeding`, `enableDraftSpec`, `nameSpace`). It counts like @fastify/rate-limit's
 * Redis store — every hit counts, the window starts at the first — in one atomic script per
 * request, and bounds the wait for Valkey with `timeout`. A floodgate `limiter` (sliding window,
 * token bucket, several limits) can decide instead. The client IP is `request.ip` (Fastify's
 * `trustProxy`), IPv6 keyed by its /64.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { createClient } from '../client/create-client.ts'
import type { Client } from '../client/types.ts'
import { BlockCache } from '../limit/block-cache.ts'
import { countHit } from '../limit/counter.ts'
import { timeoutGuard } from '../limit/deadline.ts'
import { type Duration, formatDuration, parseDuration } from '../limit/duration.ts'
import { ipKey } from '../limit/ip-key.ts'
import type { Limiter } from '../limit/limiter.ts'
import { skipOverride } from './plugin.ts'

type Maybe<T> = T | Promise<T>
type Header = 'x-ratelimit-limit' | 'x-ratelimit-remaining' | 'x-ratelimit-reset' | 'retry-after'
type DraftHeader = 'ratelimit-limit' | 'ratelimit-remaining' | 'ratelimit-reset' | 'retry-after'

/** What `errorResponseBuilder` receives (@fastify/rate-limit's context). */
export interface ErrorContext {
  statusCode: 429 | 403
  ban: boolean
  max: number
  /** Ms until the window resets. */
  ttl: number
  /** The wait in words, e.g. `'1 minute'`. */
  after: string
}

export interface RateLimitPluginOptions {
  /** Requests per window per key; default 1000. */
  max?: number | ((request: FastifyRequest, key: string) => Maybe<number>)
  /** Ms, or a string such as `'1 minute'` or `'10 s'`; default 60,000. */
  timeWindow?: Duration | string | ((request: FastifyRequest, key: string) => Maybe<number>)
  /** The key to count by; default `request.ip`, IPv6 by its /`ipv6Subnet`. */
  keyGenerator?: (request: FastifyRequest) => Maybe<string | number>
  /** Default 64, as @fastify/rate-limit. */
  ipv6Subnet?: number
  /** Keys (or a predicate) never limited. */
  allowList?: readonly string[] | ((request: FastifyRequest, key: string) => Maybe<boolean>)
  /** The hook that counts; default `'onRequest'` (`'preHandler'` lets the key use the parsed body or auth). */
  hook?: 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler'
  onExceeding?: (request: FastifyRequest, key: string) => void
  onExceeded?: (request: FastifyRequest, key: string) => void
  onBanReach?: (request: FastifyRequest, key: string) => void
  /** Builds what is thrown for a refused request; default an Error with `statusCode` 429 (403 when banned). */
  errorResponseBuilder?: (request: FastifyRequest, context: ErrorContext) => object
  /** Each refused request restarts the window (the client must pause a whole window). */
  continueExceeding?: boolean
  /** After this many refusals in one window, answer 403 instead of 429; default -1 (never). */
  ban?: number
  /** Admit requests when the store fails or does not answer within `timeout`; default false. */
  skipOnError?: boolean
  /** Ms to wait for the store; default 1000. */
  timeout?: number
  /** Headers on a refusal; each default true. */
  addHeaders?: Partial<Record<Header | DraftHeader, boolean>>
  /** Headers on an admitted request; each default true. */
  addHeadersOnExceeding?: Partial<Record<Exclude<Header | DraftHeader, 'retry-after'>, boolean>>
  /** `ratelimit-*` header names instead of `x-ratelimit-*`. */
  enableDraftSpec?: boolean
  /** Key prefix; default `'fastify-rate-limit-'`, as @fastify/rate-limit. */
  nameSpace?: string
  /** The backend; default an in-process memory client. */
  client?: Client
  /** A floodgate limiter deciding instead of the counter (`ban`, `continueExceeding` do not apply). */
  limiter?: Pick<Limiter, 'limit'>
  /**
   * Answer keys known to be over their limit from memory until their window ends, without asking
   * Valkey (a flood costs no round trips); the number of keys remembered, or `false`. Default
   * 10,000. Not used with `ban` or `continueExceeding`, which count every refusal.
   */
  blockCache?: number | false
}

interface Counted {
  current: number
  max: number
  ttl: number
}

const UNITS: Record<string, string> = { second: 's', minute: 'm', hour: 'h', day: 'd', week: 'w' }

/** `'1 minute'`, `'30 seconds'` (the `ms` package's words) or floodgate's `'1 m'`, in ms. */
const windowOf = (value: Duration | string): number => {
  const words = typeof value === 'string' && /^\s*([\d.]+)\s*(second|minute|hour|day|week)s?\s*$/i.exec(value)
  const duration = words ? `${words[1]} ${UNITS[words[2]!.toLowerCase()]}` : value
  return parseDuration(duration as Duration, 'rateLimit: timeWindow')
}

const defaultError = (_request: FastifyRequest, context: ErrorContext): object =>
  Object.assign(new Error(`Rate limit exceeded, retry in ${context.after}`), {
    statusCode: context.statusCode,
  })

/** A hook for `onRequest`, `preParsing`, `preValidation` or `preHandler`. */
export type RateLimitHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

/**
 * The rate-limit hook alone, for one route (`{ onRequest: rateLimitHook({ max: 5 }) }`); the
 * plugin adds the same hook to every route of its scope.
 *
 * @example
 * app.post('/login', { preHandler: rateLimitHook({ max: 5, timeWindow: '15 minutes', client }) }, login)
 */
export const rateLimitHook = (options: RateLimitPluginOptions = {}): RateLimitHook => {
  const {
    max = 1000,
    timeWindow = 60_000,
    ipv6Subnet = 64,
    keyGenerator = (request: FastifyRequest) => ipKey(request.ip, { ipv6Subnet }),
    allowList,
    onExceeding,
    onExceeded,
    onBanReach,
    errorResponseBuilder = defaultError,
    continueExceeding = false,
    ban = -1,
    skipOnError = false,
    timeout = 1000,
    enableDraftSpec = false,
    nameSpace = 'fastify-rate-limit-',
    limiter,
  } = options
  if (limiter && (continueExceeding || ban !== -1)) {
    throw new TypeError(
      'rateLimit: ban and continueExceeding count refusals, which a floodgate limiter does not',
    )
  }
  const fixedWindow = typeof timeWindow === 'function' ? undefined : windowOf(timeWindow)
  ipKey('::', { ipv6Subnet })
  const client = limiter ? undefined : (options.client ?? createClient('memory:'))
  // One timer for every pending call: a timer per call costs more than the decision.
  const guard = timeoutGuard(timeout)
  const cacheSize = options.blockCache ?? 10_000
  const blocked =
    limiter || ban !== -1 || continueExceeding || cacheSize === false ? undefined : new BlockCache(cacheSize)
  const prefix = enableDraftSpec ? 'ratelimit-' : 'x-ratelimit-'
  const on = (set: Record<string, boolean | undefined> | undefined, name: string) => set?.[name] !== false

  const count = async (request: FastifyRequest, key: string): Promise<Counted> => {
    const limit = typeof max === 'number' ? max : await max(request, key)
    if (limiter) {
      const result = await limiter.limit(key)
      const bound = result.policies.find((p) => p.name === result.policy)
      const ttl = result.success ? (bound?.resetAfter ?? 0) : result.retryAfter
      const known = result.reason === undefined || result.reason === 'cacheBlock'
      if (!known && skipOnError) return { current: 0, max: result.limit, ttl: 0 }
      return {
        current: result.success ? result.limit - result.remaining : result.limit + 1,
        max: result.limit,
        ttl,
      }
    }
    const window =
      fixedWindow ?? (await (timeWindow as (r: FastifyRequest, k: string) => Maybe<number>)(request, key))
    const now = Date.now()
    const known = blocked?.get(nameSpace + key, now)
    if (known && known.limit === limit) return { current: limit + 1, max: limit, ttl: known.until - now }
    const renewPast = continueExceeding ? limit : -1
    const hit = countHit(client!, nameSpace + key, window, 1, { renewPast })
    const { count: current, ttl } = await guard(hit)
    if (blocked && current > limit && ttl > 0) {
      blocked.set(nameSpace + key, { until: now + ttl, reset: now + ttl, limit, policy: '' })
    }
    return { current, max: limit, ttl }
  }

  return async function rateLimit(request: FastifyRequest, reply: FastifyReply) {
    const key = String(await keyGenerator(request))
    if (
      allowList &&
      (typeof allowList === 'function' ? await allowList(request, key) : allowList.includes(key))
    ) {
      return
    }
    let counted: Counted
    try {
      counted = await count(request, key)
    } catch (error) {
      if (skipOnError) return
      throw error
    }
    const { current, max: limit, ttl } = counted
    const seconds = Math.ceil(ttl / 1000)
    if (current <= limit) {
      if (on(options.addHeadersOnExceeding, `${prefix}limit`)) reply.header(`${prefix}limit`, limit)
      if (on(options.addHeadersOnExceeding, `${prefix}remaining`)) {
        reply.header(`${prefix}remaining`, limit - current)
      }
      if (on(options.addHeadersOnExceeding, `${prefix}reset`)) reply.header(`${prefix}reset`, seconds)
      onExceeding?.(request, key)
      return
    }
    onExceeded?.(request, key)
    if (on(options.addHeaders, `${prefix}limit`)) reply.header(`${prefix}limit`, limit)
    if (on(options.addHeaders, `${prefix}remaining`)) reply.header(`${prefix}remaining`, 0)
    if (on(options.addHeaders, `${prefix}reset`)) reply.header(`${prefix}reset`, seconds)
    if (on(options.addHeaders, 'retry-after')) reply.header('retry-after', seconds)
    const banned = ban !== -1 && current - limit > ban
    if (banned) onBanReach?.(request, key)
    const context: ErrorContext = {
      statusCode: banned ? 403 : 429,
      ban: banned,
      max: limit,
      ttl,
      after: formatDuration(Math.max(1000, seconds * 1000)),
    }
    reply.code(context.statusCode)
    throw errorResponseBuilder(request, context)
  }
}

/**
 * Rate limits every route of the scope that registers it.
 *
 * @example
 * await app.register(rateLimit, { max: 100, timeWindow: '1 minute', client })
 */
export const rateLimit: FastifyPluginAsync<RateLimitPluginOptions> = skipOverride<RateLimitPluginOptions>(
  async function floodgateRateLimit(fastify, options) {
    fastify.addHook(options.hook ?? 'onRequest', rateLimitHook(options))
  },
  'floodgate-rate-limit',
)
