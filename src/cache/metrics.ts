/**
 * The cache's counters, read with `cache.metrics()`, and their Prometheus text exposition
 * (format 0.0.4) for an app's or the bridge's `/metrics`.
 */

export interface CacheMetrics {
  /** Fresh values answered (from Valkey or L1). */
  hits: number
  /** Of `hits`, answered by the in-process L1 without a round trip. */
  l1Hits: number
  /** Lookups that found no usable value and ran (or waited for) the factory. */
  misses: number
  /** Stale values answered within `grace` (while a refresh runs, or after a failure or soft timeout). */
  staleServed: number
  /** Background refreshes started (stale-while-revalidate and XFetch early refreshes). */
  refreshes: number
  /** Lookups that waited for another process's lock holder. */
  lockWaits: number
  /** Factory calls. */
  factoryCalls: number
  /** Backend failures and timeouts, and failed factory calls. */
  errors: number
  /** Lookups answered by the factory directly because the backend was down or slow. */
  fallbacks: number
}

export const emptyMetrics = (): CacheMetrics => ({
  hits: 0,
  l1Hits: 0,
  misses: 0,
  staleServed: 0,
  refreshes: 0,
  lockWaits: 0,
  factoryCalls: 0,
  errors: 0,
  fallbacks: 0,
})

const HELP: Record<keyof CacheMetrics, string> = {
  hits: 'Fresh cache values answered',
  l1Hits: 'Fresh values answered by the in-process L1',
  misses: 'Lookups that found no usable value',
  staleServed: 'Stale values answered within grace',
  refreshes: 'Background refreshes started',
  lockWaits: 'Lookups that waited for another process computing the value',
  factoryCalls: 'Factory calls',
  errors: 'Backend failures, backend timeouts and factory failures',
  fallbacks: 'Lookups answered by the factory because the backend was down or slow',
}

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

const escapeLabel = (value: string): string =>
  value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"')

/**
 * Renders caches' counters in the Prometheus text format, one `cache` label per cache.
 *
 * @example
 * const text = prometheusMetrics({ pages: pageCache.metrics(), llm: llmCache.metrics() })
 * return new Response(text, { headers: { 'content-type': 'text/plain; version=0.0.4' } })
 */
export const prometheusMetrics = (
  caches: Record<string, CacheMetrics>,
  prefix = 'floodgate_cache',
): string => {
  let out = ''
  for (const field of Object.keys(HELP) as (keyof CacheMetrics)[]) {
    const name = `${prefix}_${snake(field)}_total`
    out += `# HELP ${name} ${HELP[field]}.\n# TYPE ${name} counter\n`
    for (const [cache, metrics] of Object.entries(caches)) {
      out += `${name}{cache="${escapeLabel(cache)}"} ${metrics[field]}\n`
    }
  }
  return out
}
