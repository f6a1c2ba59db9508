/**
 * `MultiRegionRatelimit`: `@upstash/ratelimit`'s limiter over several databases (one per region),
 * answered by the first to reply. NOTE: Upstash stores a hash of request ids per window, decides
 * on the client from whichever region answers first and merges the regions later, so `remaining`
 * can go negative and the regions together admit more than the limit. Here every call is decided
 * by floodgate's atomic script in every region (in parallel; the others finish inside `pending`),
 * so each region counts every call it received, never admits past the limit on its own count,
 * and the first answer is as good as any. A region that was unreachable for a while undercounts
 * until its keys expire: the same eventual model, without the negative counts.
 */

import { asClient, type UpstashRedisLike } from '../client/http/upstash-redis.ts'
import type { Client } from '../client/types.ts'
import type { Algorithm } from './algorithm.ts'
import { type AnalyticsOptions, createRecorder, type Recorder } from './analytics.ts'
import { untilReady } from './block-until-ready.ts'
import type { Duration } from './duration.ts'
import { fixedWindow } from './fixed-window.ts'
import type { Limiter, RemainingResult } from './limiter.ts'
import { compatLimiter } from './ratelimit.ts'
import type { RateLimitResult } from './result.ts'
import { slidingWindow } from './sliding-window.ts'

export interface MultiRegionRatelimitConfig {
  /** One client (or `@upstash/redis` instance) per region. */
  redis: ReadonlyArray<Client | UpstashRedisLike>
  limiter: Algorithm | readonly Algorithm[]
  prefix?: string
  ephemeralCache?: Map<string, number> | false
  timeout?: number
  analytics?: boolean | AnalyticsOptions
  /** Accepted, ignored, as in `@upstash/ratelimit` (which warns). */
  dynamicLimits?: boolean
  cacheScripts?: boolean
  enableTelemetry?: boolean
  onTimeout?: 'allow' | 'deny'
}

/**
 * A limiter over several regions' databases.
 *
 * @example
 * const ratelimit = new MultiRegionRatelimit({
 *   redis: [createClient({ url: US_URL }), createClient({ url: EU_URL })],
 *   limiter: MultiRegionRatelimit.slidingWindow(10, '10 s'),
 * })
 * const { success, pending } = await ratelimit.limit(ip)
 */
export class MultiRegionRatelimit {
  static fixedWindow = (tokens: number, window: Duration): Algorithm => fixedWindow(tokens, window)
  static slidingWindow = (tokens: number, window: Duration): Algorithm => slidingWindow(tokens, window)

  readonly #regions: Limiter[]
  readonly #recorder: Recorder | undefined

  constructor(config: MultiRegionRatelimitConfig) {
    if (!Array.isArray(config.redis) || config.redis.length === 0) {
      throw new TypeError('MultiRegionRatelimit: redis must be a non-empty array, one client per region')
    }
    const prefix = config.prefix ?? '@upstash/ratelimit'
    const clients = config.redis.map(asClient)
    this.#regions = clients.map((client) => compatLimiter(client, config.limiter, prefix, config))
    this.#recorder = config.analytics ? createRecorder(clients[0]!, prefix, config.analytics) : undefined
  }

  /** Decides in every region at once; answers with the first region's decision. */
  async limit(identifier: string, request?: { rate?: number; geo?: unknown }): Promise<RateLimitResult> {
    const options = request?.rate === undefined ? undefined : { cost: request.rate }
    const calls = this.#regions.map((region) => region.limit(identifier, options))
    // A region that timed out or failed answers by `onTimeout`; prefer one that decided.
    const decided = calls.map((call) =>
      call.then((r) => (r.reason === 'timeout' || r.reason === 'error' ? Promise.reject(r) : r)),
    )
    const first = await Promise.any(decided).catch(
      (errors: AggregateError) => errors.errors[0] as RateLimitResult,
    )
    const rest = Promise.all(calls.map((call) => call.then((r) => r.pending)))
    const extras: Promise<unknown>[] = [rest]
    if (this.#recorder) extras.push(this.#recorder.record(identifier, first.success ? 'allowed' : 'denied'))
    return { ...first, pending: Promise.all(extras) }
  }

  /** The first region's view. */
  getRemaining(identifier: string): Promise<RemainingResult> {
    return Promise.any(this.#regions.map((r) => r.getRemaining(identifier)))
  }

  /** Deletes `identifier`'s state in every region. */
  async resetUsedTokens(identifier: string): Promise<void> {
    await Promise.all(this.#regions.map((r) => r.reset(identifier)))
  }

  blockUntilReady(identifier: string, timeout: number): Promise<RateLimitResult> {
    return untilReady(() => this.limit(identifier), timeout)
  }
}
