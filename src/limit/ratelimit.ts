/**
 * `Ratelimit`: `@upstash/ratelimit` 2.2's API over floodgate's limiter, so migrating is a change of
 * import. Every config option, static builder and method of theirs is here with its type, and
 * answers with the same fields; decisions come from floodgate's exact, atomic, server-clocked
 * scripts. Where Upstash's behaviour is a defect, floodgate's differs (each `NOTE:` below and
 * docs/migrating-from-upstash-ratelimit.md). `redis` may be a floodgate Client or an existing
 * `@upstash/redis` instance.
 */

import { asClient, type UpstashRedisLike } from '../client/http/upstash-redis.ts'
import type { Client } from '../client/types.ts'
import type { Algorithm } from './algorithm.ts'
import { type AnalyticsOptions, createRecorder, type Recorder } from './analytics.ts'
import { untilReady } from './block-until-ready.ts'
import { createDenyList, type DenyList } from './deny-list.ts'
import type { Duration } from './duration.ts'
import { DynamicLimit } from './dynamic-limit.ts'
import { fixedWindow } from './fixed-window.ts'
import { type IpDenyListSource, ipStatusKey, updateIpDenyList } from './ip-deny-list.ts'
import { createLimiter, type Limiter, type RemainingResult } from './limiter.ts'
import type { RateLimitResult } from './result.ts'
import { slidingWindow } from './sliding-window.ts'
import { tokenBucket } from './token-bucket.ts'
import { carryUpstashCounters } from './upstash-counters.ts'

export interface RatelimitConfig {
  /** A floodgate Client, or an `@upstash/redis` `Redis` instance. */
  redis: Client | UpstashRedisLike
  /** One algorithm (or, floodgate only, several checked together). */
  limiter: Algorithm | readonly Algorithm[]
  /** Default `'@upstash/ratelimit'`, as in `@upstash/ratelimit`. */
  prefix?: string
  /** `false` turns the block cache off; a Map (Upstash's type) turns it on, bounded. Default on. */
  ephemeralCache?: Map<string, number> | false
  /** Ms before answering by `onTimeout`. Default 5000, as in `@upstash/ratelimit`. */
  timeout?: number
  /** Record allowed / denied / deny-list counts (docs/analytics.md), inside `pending`. Default off. */
  analytics?: boolean | AnalyticsOptions
  /** Check the deny list (identifier, `ip`, `userAgent`, `country`) on every call. Default off. */
  enableProtection?: boolean
  /** The ipsum level (1-8) of the automatic IP deny list. Default 6. */
  denyListThreshold?: number
  /** Allow `setDynamicLimit`, one run-time limit for every identifier. Default off. */
  dynamicLimits?: boolean
  /** Deprecated in `@upstash/ratelimit` (no effect since 2.0.3); accepted, ignored. */
  cacheScripts?: boolean
  /** Accepted, ignored: floodgate sends no telemetry. */
  enableTelemetry?: boolean
  /** Not in `@upstash/ratelimit`, which always fails open. Default `'allow'`. */
  onTimeout?: 'allow' | 'deny'
  /** Not in `@upstash/ratelimit`: where the automatic IP list comes from, or `false` for none. */
  ipDenyList?: IpDenyListSource | false
  /**
   * Not in `@upstash/ratelimit`: continue the counters `@upstash/ratelimit` left under this prefix
   * (docs/migrating-from-upstash-ratelimit.md), so the switch grants no fresh quota. Default off.
   */
  migrateFromUpstash?: boolean
}

/** The answer of `limit`, `@upstash/ratelimit`'s `RatelimitResponse` plus floodgate's fields. */
export type RatelimitResponse = RateLimitResult

export interface LimitRequest {
  /** Units to consume (default 1; 0 looks, negative refunds). */
  rate?: number
  ip?: string
  userAgent?: string
  country?: string
  /** Accepted for Upstash's analytics, which floodgate's analytics do not break down by. */
  geo?: unknown
}

// How to rebuild a builder's algorithm with another limit (dynamic limits); and which were built
// by cachedFixedWindow.
const rebuilders = new WeakMap<Algorithm, (limit: number) => Algorithm>()
const cachedAlgorithms = new WeakSet<Algorithm>()
const built = (algorithm: Algorithm, rebuild: (limit: number) => Algorithm): Algorithm => {
  rebuilders.set(algorithm, rebuild)
  return algorithm
}

const IP_STATUS_CHECK_MS = 60_000

/** A limiter with `@upstash/ratelimit`'s defaults: 5 s timeout, failing open, the block cache on. */
export const compatLimiter = (
  client: Client,
  limits: Algorithm | readonly Algorithm[],
  prefix: string,
  config: Pick<RatelimitConfig, 'timeout' | 'onTimeout' | 'ephemeralCache'>,
): Limiter =>
  createLimiter({
    client,
    limits,
    prefix,
    timeout: config.timeout ?? 5000,
    onTimeout: config.onTimeout ?? 'allow',
    blockCache: config.ephemeralCache !== false,
  })

/**
 * A drop-in for `@upstash/ratelimit`'s `Ratelimit`.
 *
 * @example
 * import { Ratelimit } from 'floodgate' // was: from '@upstash/ratelimit'
 * const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '10 s') })
 * const { success, pending } = await ratelimit.limit(ip)
 */
export class Ratelimit {
  static fixedWindow = (tokens: number, window: Duration): Algorithm =>
    built(fixedWindow(tokens, window), (limit) => fixedWindow(limit, window))
  static slidingWindow = (tokens: number, window: Duration): Algorithm =>
    built(slidingWindow(tokens, window), (limit) => slidingWindow(limit, window))
  static tokenBucket = (refillRate: number, interval: Duration, maxTokens: number): Algorithm =>
    built(tokenBucket(refillRate, interval, maxTokens), (limit) => tokenBucket(refillRate, interval, limit))
  /**
   * NOTE: Upstash decides admissions from process memory and writes Valkey later, so a fleet
   * admits more than `tokens`, and its keys never expire. Here it is a fixed window whose denials
   * are answered from process memory until the window ends; every admission is Valkey's.
   */
  static cachedFixedWindow = (tokens: number, window: Duration): Algorithm => {
    const algorithm = Ratelimit.fixedWindow(tokens, window)
    cachedAlgorithms.add(algorithm)
    return algorithm
  }

  readonly #client: Client
  readonly #prefix: string
  readonly #algorithms: readonly Algorithm[]
  readonly #make: (algorithms: readonly Algorithm[]) => Limiter
  readonly #limiters = new Map<number | null, Limiter>()
  readonly #recorder: Recorder | undefined
  readonly #dynamic: DynamicLimit | undefined
  readonly #protection: DenyList | undefined
  readonly #ipSource: IpDenyListSource | false
  readonly #threshold: number
  readonly #migrate: boolean
  readonly #carried = new Set<string>()
  #ipCheckedAt = Number.NEGATIVE_INFINITY

  constructor(config: RatelimitConfig) {
    this.#client = asClient(config.redis)
    this.#prefix = config.prefix ?? '@upstash/ratelimit'
    this.#algorithms = Array.isArray(config.limiter) ? config.limiter : [config.limiter as Algorithm]
    if (config.ephemeralCache === false && this.#algorithms.some((a) => cachedAlgorithms.has(a))) {
      throw new TypeError(
        'Ratelimit.cachedFixedWindow needs the ephemeral cache: remove ephemeralCache: false',
      )
    }
    this.#threshold = config.denyListThreshold ?? 6
    if (!(Number.isInteger(this.#threshold) && this.#threshold >= 1 && this.#threshold <= 8)) {
      throw new TypeError(
        `denyListThreshold must be a whole number from 1 to 8, received ${String(this.#threshold)}`,
      )
    }
    this.#make = (algorithms) => compatLimiter(this.#client, algorithms, this.#prefix, config)
    this.#limiters.set(null, this.#make(this.#algorithms))
    this.#recorder = config.analytics
      ? createRecorder(this.#client, this.#prefix, config.analytics)
      : undefined
    this.#dynamic = config.dynamicLimits ? new DynamicLimit(this.#client, this.#prefix) : undefined
    this.#protection = config.enableProtection ? createDenyList(this.#client, this.#prefix) : undefined
    this.#ipSource = config.ipDenyList ?? {}
    this.#migrate = config.migrateFromUpstash === true
  }

  /** The deny list (floodgate only): `add`/`remove` values on `<prefix>:denyList:all`. */
  get denyList(): DenyList {
    return this.#protection ?? createDenyList(this.#client, this.#prefix)
  }

  #limiterFor(limit: number | null): Limiter {
    let limiter = this.#limiters.get(limit)
    if (limiter === undefined) {
      const algorithms = this.#algorithms.map((a) => {
        const rebuild = rebuilders.get(a)
        if (!rebuild) throw new TypeError('dynamic limits apply to algorithms built by Ratelimit.* builders')
        return rebuild(limit!)
      })
      limiter = this.#make(algorithms)
      this.#limiters.set(limit, limiter)
    }
    return limiter
  }

  /** Charges what `@upstash/ratelimit`'s state says `identifier` used, once per identifier. */
  async #carry(identifier: string, limiter: Limiter): Promise<void> {
    if (this.#carried.has(identifier)) return
    if (this.#carried.size >= 100_000) this.#carried.clear()
    this.#carried.add(identifier)
    const used = await carryUpstashCounters(this.#client, this.#prefix, identifier, limiter.limits)
    const charge = used === undefined ? 0 : Math.max(...used)
    if (charge <= 0) return
    const result = await limiter.limit(identifier, { cost: charge })
    // More than fits now (floodgate's own counters moved meanwhile): use up what is left.
    if (!result.success && result.reason === undefined) {
      const { remaining } = await limiter.getRemaining(identifier)
      if (remaining > 0) await limiter.limit(identifier, { cost: remaining })
    }
  }

  #ipRefresh(): Promise<unknown> | undefined {
    const now = Date.now()
    if (this.#ipSource === false || now - this.#ipCheckedAt < IP_STATUS_CHECK_MS) return undefined
    this.#ipCheckedAt = now
    const source = this.#ipSource
    return this.#client
      .send(['EXISTS', ipStatusKey(this.#prefix)])
      .then((exists) =>
        exists === 0
          ? updateIpDenyList(this.#client, this.#prefix, this.#threshold, undefined, source)
          : undefined,
      )
      .catch(() => undefined)
  }

  /**
   * Decides one call; `rate` is the cost (default 1, negative refunds). With `enableProtection`,
   * `ip`, `userAgent`, `country` and the identifier are checked against the deny list in the
   * same round trip. NOTE: a call the deny list refuses is refunded (Upstash charges it).
   */
  async limit(identifier: string, request?: LimitRequest): Promise<RatelimitResponse> {
    const extras: Promise<unknown>[] = []
    const values = this.#protection
      ? [identifier, request?.ip, request?.userAgent, request?.country].filter(
          (v): v is string => typeof v === 'string' && v !== '',
        )
      : []
    const known = this.#protection?.cached(values)
    if (known !== undefined) {
      if (this.#recorder) extras.push(this.#recorder.record(known, 'denyList'))
      return {
        success: false,
        limit: this.#algorithms[0]!.limit,
        remaining: 0,
        reset: 0,
        retryAfter: 0,
        reason: 'denyList',
        deniedValue: known,
        pending: Promise.all(extras),
        policy: this.#algorithms[0]!.name,
        policies: this.#algorithms.map(({ name, limit, window }) => ({ name, limit, window })),
      }
    }
    let limiter = this.#limiterFor(null)
    if (this.#dynamic) {
      const state = this.#dynamic.current()
      let limit = state.limit
      if (!state.fresh) limit = await this.#dynamic.read()
      else if (state.refresh) extras.push(state.refresh)
      limiter = this.#limiterFor(limit)
    }
    if (this.#migrate) await this.#carry(identifier, limiter).catch(() => undefined)
    const rate = request?.rate
    const decision = limiter.limit(identifier, rate === undefined ? undefined : { cost: rate })
    const check = this.#protection?.check(values).catch(() => undefined)
    let result = await decision
    const denied = check === undefined ? undefined : await check
    if (this.#protection) {
      const refresh = this.#ipRefresh()
      if (refresh) extras.push(refresh)
    }
    if (denied !== undefined) {
      if (result.success)
        extras.push(limiter.limit(identifier, { cost: -(rate ?? 1) }).catch(() => undefined))
      result = { ...result, success: false, remaining: 0, reason: 'denyList', deniedValue: denied }
    }
    if (this.#recorder) {
      const outcome = denied !== undefined ? 'denyList' : result.success ? 'allowed' : 'denied'
      extras.push(this.#recorder.record(denied ?? identifier, outcome))
    }
    return extras.length === 0 ? result : { ...result, pending: Promise.all([result.pending, ...extras]) }
  }

  getRemaining(identifier: string): Promise<RemainingResult> {
    return this.#limiterFor(this.#dynamic?.current().limit ?? null).getRemaining(identifier)
  }

  /** Deletes exactly `identifier`'s state. NOTE: Upstash's SCAN pattern also deletes `user*`'s neighbours. */
  resetUsedTokens(identifier: string): Promise<void> {
    return this.#limiterFor(null).reset(identifier)
  }

  /**
   * Calls `limit` until it succeeds or `timeout` ms have passed, sleeping exactly `retryAfter`
   * (server-clocked) between tries instead of reading the local clock against `reset`.
   */
  blockUntilReady(identifier: string, timeout: number): Promise<RatelimitResponse> {
    return untilReady(() => this.limit(identifier), timeout)
  }

  /** Sets (or with `false` removes) the limit every identifier gets. Needs `dynamicLimits: true`. */
  async setDynamicLimit(options: { limit: number | false }): Promise<void> {
    await this.#dynamicOrThrow().set(options.limit)
  }

  /** The dynamic limit stored in Valkey, or null when none is set. Needs `dynamicLimits: true`. */
  async getDynamicLimit(): Promise<{ dynamicLimit: number | null }> {
    return { dynamicLimit: await this.#dynamicOrThrow().read() }
  }

  #dynamicOrThrow(): DynamicLimit {
    if (!this.#dynamic)
      throw new TypeError('dynamic limits are off: pass dynamicLimits: true to new Ratelimit()')
    return this.#dynamic
  }
}
