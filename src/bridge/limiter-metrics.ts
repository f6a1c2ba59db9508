/**
 * floodgate's limiter decisions on the bridge's `/metrics`, read from the analytics that limiters
 * record in Valkey (src/limit/analytics.ts): the bridge only sees commands, never a decision.
 *
 * The analytics are counts per time bucket that expire after their retention, so no monotonic
 * counter can be built from them honestly (a restart of nothing would reset it, a lost bucket
 * would make it go down). What is exported is a gauge: the decisions of the last `buckets`
 * complete buckets (default 5 × 1 min), by prefix and outcome — the current bucket is left out
 * because its total still grows. A ratio of two such gauges is a denial ratio over the window.
 *
 * Bounded like the Valkey collector: one answer is reused for `cacheFor` ms, a scrape waits at
 * most `timeout` ms, and at most `maxPrefixes` prefixes are read (the registry's newest first).
 */
import { bucketKey, REGISTRY } from '../limit/analytics.ts'
import { cachedRender, withinTimeout } from './collector.ts'
import { escapeLabel } from './exposition.ts'
import type { Upstream } from './upstream.ts'

export interface LimiterMetricsOptions {
  upstream: Pick<Upstream, 'pipeline'>
  /** Prefixes to report. Default: those in the analytics registry that recorded in the window. */
  prefixes?: readonly string[]
  /** The recorders' bucket width, ms (default 60000, analytics' default). */
  bucket?: number
  /** Complete buckets summed into each value (default 5). */
  buckets?: number
  /** Most prefixes read per scrape (default 100). */
  maxPrefixes?: number
  /** How long a scrape waits for Valkey, ms (default 1000). */
  timeout?: number
  /** How long one answer is reused, ms (default 1000). */
  cacheFor?: number
}

const OUTCOMES = [
  ['allowed', 'allowed'],
  ['denied', 'denied'],
  ['denyList', 'deny_list'],
] as const

const hashOf = (reply: unknown): Map<string, number> => {
  const map = new Map<string, number>()
  if (Array.isArray(reply))
    for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), Number(reply[i + 1]) || 0)
  return map
}

const check = (name: string, value: number) => {
  if (!(Number.isSafeInteger(value) && value > 0))
    throw new TypeError(`limiterMetrics.${name} must be a positive whole number, received ${String(value)}`)
}

/**
 * Builds the collector; `render()` returns the exposition text for the limiters' series.
 *
 * @example
 * const limiters = limiterMetrics({ upstream })
 * await limiters.render() // '...floodgate_limiter_decisions{prefix="api",outcome="denied"} 12\n...'
 */
export const limiterMetrics = (options: LimiterMetricsOptions): { render(): Promise<string> } => {
  const bucket = options.bucket ?? 60_000
  const buckets = options.buckets ?? 5
  const maxPrefixes = options.maxPrefixes ?? 100
  const timeout = options.timeout ?? 1000
  check('bucket', bucket)
  check('buckets', buckets)
  check('maxPrefixes', maxPrefixes)

  const read = async (): Promise<string[]> => {
    const now = Date.now()
    const first = now - (now % bucket) - buckets * bucket
    const starts = Array.from({ length: buckets }, (_, i) => first + i * bucket)
    const pipeline = (commands: string[][]) => options.upstream.pipeline(commands, { bytes: false, timeout })
    const prefixes =
      options.prefixes ??
      // The registry scores each prefix by its newest bucket: read the newest first, capped.
      (
        (
          await pipeline([
            ['ZRANGE', REGISTRY, '+inf', String(first), 'BYSCORE', 'REV', 'LIMIT', '0', String(maxPrefixes)],
          ])
        )[0] as string[] | undefined
      )?.map(String) ??
      []
    const commands = prefixes.flatMap((prefix) =>
      starts.map((start) => ['HGETALL', bucketKey(prefix, start, 'totals')]),
    )
    const replies = commands.length > 0 ? await pipeline(commands) : []
    const lines: string[] = []
    let i = 0
    for (const prefix of prefixes) {
      const totals = new Map<string, number>()
      for (let b = 0; b < buckets; b++)
        for (const [k, n] of hashOf(replies[i++])) totals.set(k, (totals.get(k) ?? 0) + n)
      for (const [field, outcome] of OUTCOMES) {
        lines.push(
          `floodgate_limiter_decisions{prefix="${escapeLabel(prefix)}",outcome="${outcome}"} ${totals.get(field) ?? 0}`,
        )
      }
    }
    return lines
  }

  const scrape = async (): Promise<string> => {
    const out = [
      '# HELP floodgate_limiter_decisions_window_seconds Width of the window floodgate_limiter_decisions counts over.',
      '# TYPE floodgate_limiter_decisions_window_seconds gauge',
      `floodgate_limiter_decisions_window_seconds ${(buckets * bucket) / 1000}`,
      '# HELP floodgate_limiter_decisions Limiter decisions recorded by analytics over the last complete buckets, by prefix and outcome.',
      '# TYPE floodgate_limiter_decisions gauge',
    ]
    let up = 1
    try {
      out.push(...(await withinTimeout(read(), timeout)))
    } catch {
      up = 0 // the Valkey collector's redis_up and the upstream error counters say why
    }
    out.push(
      "# HELP floodgate_limiter_analytics_up 1 if the last scrape read the limiters' analytics.",
      '# TYPE floodgate_limiter_analytics_up gauge',
      `floodgate_limiter_analytics_up ${up}`,
    )
    return `${out.join('\n')}\n`
  }

  return cachedRender(scrape, options.cacheFor ?? 1000)
}
