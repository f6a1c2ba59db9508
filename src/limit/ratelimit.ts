/**
 * `Ratelimit`: the `@upstash/ratelimit` API over floodgate's limiter, so migrating is a change of
 * import. It takes the same constructor options (`redis`, `limiter`, `prefix`, `timeout`,
 * `ephemeralCache`), the same static algorithm factories and the same methods (`limit` with
 * `rate`, `getRemaining`, `resetUsedTokens`, `blockUntilReady`), and answers with the same fields —
 * computed by floodgate's exact, atomic, server-clocked scripts. `redis` may be a floodgate Client
 * or an existing `@upstash/redis` instance.
 */

import { fromUpstashRedis, type UpstashRedisLike } from '../client/http/upstash-redis.ts'
import type { Client } from '../client/types.ts'
import type { Algorithm } from './algorithm.ts'
import type { Duration } from './duration.ts'
import { fixedWindow } from './fixed-window.ts'
import { createLimiter, type Limiter, type RemainingResult } from './limiter.ts'
import type { RateLimitResult } from './result.ts'
import { slidingWindow } from './sliding-window.ts'
import { tokenBucket } from './token-bucket.ts'

export interface RatelimitConfig {
  /** A floodgate Client, or an `@upstash/redis` `Redis` instance. */
  redis: Client | UpstashRedisLike
  /** One algorithm (or several, checked together). */
  limiter: Algorithm | readonly Algorithm[]
  /** Default `'@upstash/ratelimit'`, as in `@upstash/ratelimit`. */
  prefix?: string
  /** Ms before answering by `onTimeout`. Default 5000, as in `@upstash/ratelimit`. */
  timeout?: number
  /** Not in `@upstash/ratelimit`, which always fails open. Default `'allow'`. */
  onTimeout?: 'allow' | 'deny'
  /** `false` turns the block cache off; a Map (Upstash's type) turns it on, bounded. Default on. */
  ephemeralCache?: Map<string, number> | false
}

const isClient = (value: unknown): value is Client =>
  typeof (value as Client | null)?.eval === 'function' && typeof (value as Client).kind === 'string'

/**
 * A drop-in for `@upstash/ratelimit`'s `Ratelimit`.
 *
 * @example
 * import { Ratelimit } from 'floodgate' // was: from '@upstash/ratelimit'
 * const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '10 s') })
 * const { success, pending } = await ratelimit.limit(ip)
 */
export class Ratelimit {
  static fixedWindow = (tokens: number, window: Duration): Algorithm => fixedWindow(tokens, window)
  static slidingWindow = (tokens: number, window: Duration): Algorithm => slidingWindow(tokens, window)
  static tokenBucket = (refillRate: number, interval: Duration, maxTokens: number): Algorithm =>
    tokenBucket(refillRate, interval, maxTokens)

  readonly #limiter: Limiter

  constructor(config: RatelimitConfig) {
    const client = isClient(config.redis) ? config.redis : fromUpstashRedis(config.redis)
    this.#limiter = createLimiter({
      client,
      limits: config.limiter,
      prefix: config.prefix ?? '@upstash/ratelimit',
      timeout: config.timeout ?? 5000,
      onTimeout: config.onTimeout ?? 'allow',
      blockCache: config.ephemeralCache !== false,
    })
  }

  /**
   * Decides one call; `rate` is the cost (default 1, negative refunds). `ip`, `userAgent`,
   * `country` and `geo` feed Upstash's deny lists and analytics, which floodgate does not have:
   * they are accepted, so calls compile unchanged, and ignored.
   */
  limit(
    identifier: string,
    options?: { rate?: number; ip?: string; userAgent?: string; country?: string; geo?: unknown },
  ): Promise<RateLimitResult> {
    return this.#limiter.limit(identifier, options?.rate === undefined ? undefined : { cost: options.rate })
  }

  getRemaining(identifier: string): Promise<RemainingResult> {
    return this.#limiter.getRemaining(identifier)
  }

  resetUsedTokens(identifier: string): Promise<void> {
    return this.#limiter.reset(identifier)
  }

  /**
   * Calls `limit` until it succeeds or `timeout` ms have passed, sleeping exactly `retryAfter`
   * (server-clocked) between tries instead of reading the local clock against `reset`.
   */
  async blockUntilReady(identifier: string, timeout: number): Promise<RateLimitResult> {
    if (!(typeof timeout === 'number' && timeout > 0)) {
      throw new TypeError(`timeout must be a positive number of ms, received ${String(timeout)}`)
    }
    const deadline = Date.now() + timeout
    for (;;) {
      const result = await this.limit(identifier)
      const wait = Math.max(1, result.retryAfter)
      if (result.success || Date.now() + wait > deadline) return result
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
}
