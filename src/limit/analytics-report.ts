/**
 * Reading decision analytics back: per limiter prefix, allowed / denied / deny-list totals per
 * time bucket, and the identifiers (and deny-listed values) with the most denials over a range.
 * One pipeline per call, whatever the backend. See `analytics.ts` for the key layout.
 */
import type { Client, Reply } from '../client/types.ts'
import { type AnalyticsOptions, analyticsSettings, bucketKey, REGISTRY } from './analytics.ts'

export interface AnalyticsPoint {
  /** Bucket start, epoch ms. */
  readonly time: number
  readonly allowed: number
  readonly denied: number
  readonly denyList: number
}

export interface AnalyticsCount {
  readonly value: string
  readonly count: number
}

export interface LimiterAnalytics {
  readonly prefix: string
  /** One point per bucket of the range, oldest first (zeros where nothing was recorded). */
  readonly series: readonly AnalyticsPoint[]
  readonly totals: { readonly allowed: number; readonly denied: number; readonly denyList: number }
  /** Identifiers with the most denials over the range, most first. */
  readonly topDenied: readonly AnalyticsCount[]
  /** Deny-listed values (identifier, IP, user agent, country) that were hit, most first. */
  readonly denyListHits: readonly AnalyticsCount[]
}

export interface ReadAnalyticsOptions extends Pick<AnalyticsOptions, 'bucket'> {
  /** Limiter prefixes to read. Default: every prefix that recorded within the range. */
  prefixes?: readonly string[]
  /** How many buckets back from `until`. Default 60. */
  buckets?: number
  /** End of the range, epoch ms. Default now. */
  until?: number
  /** Entries in `topDenied` and `denyListHits`. Default 10. */
  top?: number
}

const num = (reply: Reply | undefined): number => {
  const n = typeof reply === 'number' ? reply : Number(reply)
  return Number.isFinite(n) ? n : 0
}

const hashOf = (reply: unknown): Map<string, number> => {
  const map = new Map<string, number>()
  if (Array.isArray(reply))
    for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), num(reply[i + 1]))
  return map
}

const ranked = (sum: Map<string, number>, top: number): AnalyticsCount[] =>
  [...sum]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([value, count]) => ({ value, count }))

/**
 * Reads the analytics of one or more limiters.
 *
 * @example
 * const [api] = await readAnalytics(client, { prefixes: ['api'], buckets: 60 })
 * console.log(api.totals.denied, api.topDenied[0])
 */
export const readAnalytics = async (
  client: Client,
  options: ReadAnalyticsOptions = {},
): Promise<LimiterAnalytics[]> => {
  const { bucket } = analyticsSettings({ bucket: options.bucket ?? '1 m' })
  const count = options.buckets ?? 60
  if (!(Number.isSafeInteger(count) && count > 0 && count <= 10_000)) {
    throw new TypeError(`buckets must be a whole number from 1 to 10000, received ${String(count)}`)
  }
  const top = options.top ?? 10
  const until = options.until ?? Date.now()
  const last = until - (until % bucket)
  const first = last - (count - 1) * bucket
  const prefixes =
    options.prefixes ??
    ((await client.send(['ZRANGE', REGISTRY, String(first), '+inf', 'BYSCORE'])) as string[])
  const starts = Array.from({ length: count }, (_, i) => first + i * bucket)
  const commands: string[][] = []
  for (const prefix of prefixes) {
    for (const start of starts) {
      commands.push(
        ['HGETALL', bucketKey(prefix, start, 'totals')],
        ['ZRANGE', bucketKey(prefix, start, 'denied'), '0', String(top - 1), 'REV', 'WITHSCORES'],
        ['ZRANGE', bucketKey(prefix, start, 'denyList'), '0', String(top - 1), 'REV', 'WITHSCORES'],
      )
    }
  }
  const replies = commands.length > 0 ? await client.pipeline(commands) : []
  let i = 0
  const results = prefixes.map((prefix) => {
    const series: AnalyticsPoint[] = []
    const denied = new Map<string, number>()
    const hits = new Map<string, number>()
    const totals = { allowed: 0, denied: 0, denyList: 0 }
    for (const time of starts) {
      const t = hashOf(replies[i++])
      const point = {
        time,
        allowed: t.get('allowed') ?? 0,
        denied: t.get('denied') ?? 0,
        denyList: t.get('denyList') ?? 0,
      }
      series.push(point)
      totals.allowed += point.allowed
      totals.denied += point.denied
      totals.denyList += point.denyList
      for (const [value, n] of hashOf(replies[i++])) denied.set(value, (denied.get(value) ?? 0) + n)
      for (const [value, n] of hashOf(replies[i++])) hits.set(value, (hits.get(value) ?? 0) + n)
    }
    return { prefix, series, totals, topDenied: ranked(denied, top), denyListHits: ranked(hits, top) }
  })
  return results.sort((a, b) => (a.prefix < b.prefix ? -1 : 1))
}
