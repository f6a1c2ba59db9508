/**
 * Valkey's own state on the bridge's `/metrics`, as redis_exporter would report it: on a scrape,
 * one pipelined `INFO all` + `SLOWLOG LEN` + `SLOWLOG GET 1` through the bridge's upstream.
 * Bounded twice so a scrape never hangs: the answer is cached briefly (scrapers from several
 * Prometheus replicas share one round trip), and a Valkey that does not answer in time is
 * `redis_up 0` at once.
 */
import type { Reply } from '../client/types.ts'
import { ReplyError } from '../errors.ts'
import { cachedRender, withinTimeout } from './collector.ts'
import { infoSeries, type SlowLog } from './info-metrics.ts'
import type { Upstream } from './upstream.ts'

export interface ValkeyMetricsOptions {
  upstream: Pick<Upstream, 'pipeline'>
  /** How long a scrape waits for Valkey, ms (default 1000). */
  timeout?: number
  /** How long one answer is reused, ms (default 1000). */
  cacheFor?: number
  /** Called with the error when a scrape finds Valkey unreachable or refusing INFO. */
  onError?: (error: unknown) => void
}

const SCRAPE = [
  ['INFO', 'all'],
  ['SLOWLOG', 'LEN'],
  ['SLOWLOG', 'GET', '1'],
]

const slowlogOf = (length: Reply | ReplyError, newest: Reply | ReplyError): SlowLog => {
  const entry = Array.isArray(newest) ? newest[0] : undefined
  const log: SlowLog = { length: typeof length === 'number' ? length : 0 }
  if (Array.isArray(entry) && typeof entry[0] === 'number' && typeof entry[2] === 'number') {
    log.last = { id: entry[0], micros: entry[2] }
  }
  return log
}

const up = (value: 0 | 1, seconds: number): string[] => [
  '# HELP redis_up 1 if the bridge reached Valkey on the last scrape.',
  '# TYPE redis_up gauge',
  `redis_up ${value}`,
  '# HELP redis_exporter_last_scrape_duration_seconds How long the last scrape of Valkey took.',
  '# TYPE redis_exporter_last_scrape_duration_seconds gauge',
  `redis_exporter_last_scrape_duration_seconds ${seconds}`,
]

/**
 * Builds the collector; `render()` returns the exposition text for Valkey's series.
 *
 * @example
 * const valkey = valkeyMetrics({ upstream })
 * const text = (await valkey.render()) // 'redis_up 1\n...redis_memory_used_bytes 974064\n...'
 */
export const valkeyMetrics = (options: ValkeyMetricsOptions): { render(): Promise<string> } => {
  const timeout = options.timeout ?? 1000

  const scrape = async (): Promise<string> => {
    const started = performance.now()
    const seconds = () => Math.round(performance.now() - started) / 1000
    try {
      const replies = await withinTimeout(
        options.upstream.pipeline(SCRAPE, { bytes: false, timeout }),
        timeout,
      )
      const [info, length, newest] = replies
      if (info instanceof ReplyError) throw info
      if (typeof info !== 'string') throw new TypeError('INFO did not answer with text')
      return `${[...up(1, seconds()), ...infoSeries(info, slowlogOf(length!, newest!))].join('\n')}\n`
    } catch (error) {
      options.onError?.(error)
      return `${up(0, seconds()).join('\n')}\n`
    }
  }

  return cachedRender(scrape, options.cacheFor ?? 1000)
}
