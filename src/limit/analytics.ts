/**
 * Decision analytics: allowed, denied and deny-list counts per limiter prefix, time bucket and
 * identifier, kept in Valkey with bounded memory. Recording is off the hot path: the decisions of
 * one tick are summed in process and written as one pipeline, whose promise is the decisions'
 * `pending` (hand it to `waitUntil`). Memory is bounded three ways: every key expires after
 * `retention`; per bucket, only the `top` identifiers by count are kept (the sorted sets are
 * trimmed once they hold twice that); and the totals are one small hash per bucket.
 *
 * Keys (the prefix in a hash tag, so one limiter's keys share a cluster slot):
 * `floodgate:analytics:{<prefix>}:<bucketStartMs>:totals` HASH allowed / denied / denyList,
 * `…:allowed`, `…:denied`, `…:denyList` ZSET member → count; and the registry of prefixes
 * `floodgate:analytics:limiters` ZSET prefix → last bucket written.
 */
import type { Client } from '../client/types.ts'
import { type Duration, parseDuration } from './duration.ts'
import type { Limiter } from './limiter.ts'
import { RESOLVED } from './result.ts'

export interface AnalyticsOptions {
  /** Width of a time bucket. Default `'1 m'`. */
  bucket?: Duration
  /** How long buckets are kept. Default `'1 d'`. */
  retention?: Duration
  /** Identifiers kept per bucket and outcome (the most frequent). Default 100. */
  top?: number
}

export interface AnalyticsSettings {
  readonly bucket: number
  readonly retention: number
  readonly top: number
}

/** One decision as analytics sees it. */
export type Outcome = 'allowed' | 'denied' | 'denyList'

export const ANALYTICS_ROOT = 'floodgate:analytics'
export const REGISTRY = `${ANALYTICS_ROOT}:limiters`

/** The key of one bucket's `part` (`totals`, `allowed`, `denied`, `denyList`) for `prefix`. */
export const bucketKey = (prefix: string, start: number, part: string): string =>
  `${ANALYTICS_ROOT}:{${prefix}}:${start}:${part}`

export const analyticsSettings = (options: boolean | AnalyticsOptions | undefined): AnalyticsSettings => {
  const given = typeof options === 'object' && options !== null ? options : {}
  const bucket = parseDuration(given.bucket ?? '1 m', 'analytics.bucket')
  const retention = parseDuration(given.retention ?? '1 d', 'analytics.retention')
  const top = given.top ?? 100
  if (!(Number.isSafeInteger(top) && top > 0)) {
    throw new TypeError(`analytics.top must be a positive whole number, received ${String(top)}`)
  }
  if (retention < bucket) {
    throw new TypeError(`analytics.retention (${retention} ms) must be at least one bucket (${bucket} ms)`)
  }
  return { bucket, retention, top }
}

/** Records decisions for one limiter prefix; `record` returns the promise of their write. */
export interface Recorder {
  record(identifier: string, outcome: Outcome, now?: number): Promise<unknown>
}

/**
 * A recorder for `prefix` over `client`.
 *
 * @example
 * const recorder = createRecorder(client, 'api', { bucket: '1 m' })
 * ctx.waitUntil(recorder.record('user-1', 'denied'))
 */
export const createRecorder = (
  client: Client,
  prefix: string,
  options: boolean | AnalyticsOptions = true,
): Recorder => {
  const settings = analyticsSettings(options)
  // bucket start → outcome → identifier → count, for the decisions of this tick.
  let batch = new Map<number, Map<Outcome, Map<string, number>>>()
  let flushing: Promise<unknown> | undefined

  const write = async (counts: typeof batch): Promise<void> => {
    const commands: string[][] = []
    const sets: string[] = []
    for (const [start, outcomes] of counts) {
      const left = start + settings.bucket + settings.retention - Date.now()
      if (left <= 0) continue // a decision dated past retention: nothing to keep
      const ttl = String(left)
      const totals = bucketKey(prefix, start, 'totals')
      for (const [outcome, ids] of outcomes) {
        let sum = 0
        const key = bucketKey(prefix, start, outcome)
        for (const [id, n] of ids) {
          sum += n
          commands.push(['ZINCRBY', key, String(n), id])
        }
        commands.push(['HINCRBY', totals, outcome, String(sum)], ['PEXPIRE', key, ttl], ['ZCARD', key])
        sets.push(key)
      }
      // GT: a late write for an older bucket must not make the prefix look idle to readers.
      commands.push(['PEXPIRE', totals, ttl], ['ZADD', REGISTRY, 'GT', String(start), prefix])
    }
    const replies = await client.pipeline(commands)
    // Trim a set once it holds twice `top`: its least frequent members go (their counts are
    // lost, as in any top-k summary), so each bucket stays within 2 × top members per outcome.
    const trims: string[][] = []
    let set = 0
    for (let i = 0; i < commands.length; i++) {
      if (commands[i]![0] !== 'ZCARD') continue
      const card = replies[i]
      if (typeof card === 'number' && card > 2 * settings.top) {
        trims.push(['ZRANGE', sets[set]!, '0', String(-(settings.top + 1))])
      }
      set++
    }
    if (trims.length === 0) return
    const doomed = await client.pipeline(trims)
    const removals: string[][] = []
    doomed.forEach((members, i) => {
      if (Array.isArray(members) && members.length > 0)
        removals.push(['ZREM', trims[i]![1]!, ...(members as string[])])
    })
    if (removals.length > 0) await client.pipeline(removals)
  }

  const flush = (): Promise<unknown> => {
    const counts = batch
    batch = new Map()
    flushing = undefined
    // Analytics never fails a decision: a lost write is a gap in a chart.
    return write(counts).catch(() => undefined)
  }

  return {
    record(identifier, outcome, now = Date.now()) {
      const start = now - (now % settings.bucket)
      let outcomes = batch.get(start)
      if (outcomes === undefined) {
        outcomes = new Map()
        batch.set(start, outcomes)
      }
      let ids = outcomes.get(outcome)
      if (ids === undefined) {
        ids = new Map()
        outcomes.set(outcome, ids)
      }
      ids.set(identifier, (ids.get(identifier) ?? 0) + 1)
      // The first record of a tick schedules the write after the tick's other decisions.
      flushing ??= RESOLVED.then(flush)
      return flushing
    },
  }
}

/**
 * `createLimiter`'s limiter with analytics: every decision is recorded under `prefix` (pass the
 * limiter's own), its write joined to the result's `pending`. A wrapper rather than a limiter
 * option, so a Worker that never records ships none of this (the 50 KB bundle budget).
 * `Ratelimit` and `rateLimiter()` take `analytics: true` and do this themselves.
 *
 * @example
 * const limiter = withAnalytics(createLimiter({ client, prefix: 'api', limits }), { client, prefix: 'api' })
 */
export const withAnalytics = (
  limiter: Limiter,
  options: AnalyticsOptions & { client: Client; prefix: string },
): Limiter => {
  const recorder = createRecorder(options.client, options.prefix, options)
  return {
    ...limiter,
    limits: limiter.limits,
    limit: async (identifier, callOptions) => {
      const result = await limiter.limit(identifier, callOptions)
      const write = recorder.record(identifier, result.success ? 'allowed' : 'denied')
      return {
        ...result,
        pending: result.pending === RESOLVED ? write : Promise.all([result.pending, write]),
      }
    },
  }
}
