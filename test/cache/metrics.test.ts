/** The counters' Prometheus text exposition. */
import { describe, expect, it } from 'vitest'
import { createCache } from '../../src/cache/cache.ts'
import { prometheusMetrics } from '../../src/cache/metrics.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'

describe('prometheusMetrics', () => {
  it('renders every counter of every cache with HELP, TYPE and a cache label', async () => {
    const cache = createCache({ client: createMemoryClient() })
    await cache.getOrSet('a', () => 1)
    await cache.getOrSet('a', () => 1)
    const text = prometheusMetrics({ pages: cache.metrics(), 'we"ird': cache.metrics() })
    expect(text).toContain(
      '# HELP floodgate_cache_hits_total Fresh cache values answered.\n# TYPE floodgate_cache_hits_total counter\n' +
        'floodgate_cache_hits_total{cache="pages"} 1\nfloodgate_cache_hits_total{cache="we\\"ird"} 1\n',
    )
    expect(text).toContain('floodgate_cache_misses_total{cache="pages"} 1\n')
    expect(text).toContain('floodgate_cache_lock_waits_total{cache="pages"} 0\n')
    expect(text.match(/^# TYPE /gm)).toHaveLength(9)
  })
})
