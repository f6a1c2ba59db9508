/**
 * `/metrics` carries Valkey's state under redis_exporter's names, read from a real Valkey
 * through a real bridge; a paused or absent Valkey is `redis_up 0` and the scrape still answers.
 */
import { describe, expect, it } from 'vitest'
import { Counters } from '../../src/bridge/counters.ts'
import { infoSeries } from '../../src/bridge/info-metrics.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { post, scrape, useBridge, value } from './support.ts'

const valkey = useValkey()
// Without the limiter series, whose reads would count in the keyspace hits and misses asserted here.
const bridge = useBridge(valkey, { upstreamTimeout: 500, limiterMetrics: false })

/** Waits out the collector's one-second cache so the next scrape reads Valkey afresh. */
const fresh = () => new Promise((resolve) => setTimeout(resolve, 1100))

describe('Valkey series on /metrics', () => {
  it('reports keys per db, hits and misses, clients and memory as Valkey counts them', async () => {
    await post(`${bridge.url}/pipeline`, [
      ['FLUSHDB'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2', 'EX', '100'],
      ['GET', 'a'],
      ['GET', 'missing'],
    ])
    await fresh()
    const text = await scrape(bridge.url)
    expect(value(text, 'redis_up')).toBe(1)
    expect(value(text, 'redis_db_keys{db="db0"}')).toBe(2)
    expect(value(text, 'redis_db_keys_expiring{db="db0"}')).toBe(1)
    const hits = value(text, 'redis_keyspace_hits_total')!
    const misses = value(text, 'redis_keyspace_misses_total')!
    expect(hits).toBeGreaterThanOrEqual(1)
    expect(misses).toBeGreaterThanOrEqual(1)
    expect(value(text, 'redis_connected_clients')).toBeGreaterThanOrEqual(1)
    expect(value(text, 'redis_memory_used_bytes')).toBeGreaterThan(0)
    expect(value(text, 'redis_memory_max_bytes')).toBe(0)
    expect(value(text, 'redis_rdb_last_bgsave_status')).toBe(1)
    expect(value(text, 'redis_aof_enabled')).toBe(0)
    expect(text).toMatch(/^redis_instance_info\{role="master",redis_version="[\d.]+",/m)
    expect(value(text, 'redis_commands_total{cmd="set"}')).toBeGreaterThanOrEqual(2)

    await post(bridge.url, ['GET', 'a'])
    await post(bridge.url, ['GET', 'nothing'])
    await fresh()
    const later = await scrape(bridge.url)
    expect(value(later, 'redis_keyspace_hits_total')).toBe(hits + 1)
    expect(value(later, 'redis_keyspace_misses_total')).toBe(misses + 1)
  })

  it('reports the slow log: its length, the newest id and how long it ran', async () => {
    valkey.server.cli('SLOWLOG', 'RESET')
    valkey.server.cli('CONFIG', 'SET', 'slowlog-log-slower-than', '0')
    try {
      valkey.server.cli('SET', 'slow', 'x')
      await fresh()
      const text = await scrape(bridge.url)
      const newest = valkey.server.cli('SLOWLOG', 'GET', '1').split('\n')
      expect(value(text, 'redis_slowlog_length')).toBeGreaterThanOrEqual(1)
      // The newest entry may be the scrape's own INFO or the one before it: ids only grow.
      expect(value(text, 'redis_slowlog_last_id')).toBeLessThanOrEqual(Number(newest[0]))
      expect(value(text, 'redis_slowlog_last_id')).toBeGreaterThanOrEqual(0)
      expect(value(text, 'redis_last_slow_execution_duration_seconds')).toBeGreaterThanOrEqual(0)
    } finally {
      valkey.server.cli('CONFIG', 'SET', 'slowlog-log-slower-than', '10000')
    }
  })

  it('answers redis_up 0 within its timeout while Valkey is paused, and 1 once it is back', async () => {
    await fresh()
    valkey.server.pause()
    let text: string
    try {
      text = await scrape(bridge.url)
    } finally {
      valkey.server.resume()
    }
    expect(value(text, 'redis_up')).toBe(0)
    expect(text).not.toContain('redis_memory_used_bytes')
    expect(text).toContain('floodgate_bridge_requests_total')
    await fresh()
    expect(value(await scrape(bridge.url), 'redis_up')).toBe(1)
  })
})

// A port nobody listens on: the bridge starts, its upstream never answers.
const nowhere = { url: `redis://127.0.0.1:${await freePort()}` }

describe('Valkey series with no Valkey at all', () => {
  const lonely = useBridge(nowhere, { upstreamTimeout: 500 })
  it('answers redis_up 0', async () => {
    expect(value(await scrape(lonely.url), 'redis_up')).toBe(0)
  })
})

describe('infoSeries', () => {
  it('maps status words to 1/0 and replica lines to per-replica lag', () => {
    const info = [
      '# Persistence',
      'rdb_last_bgsave_status:err',
      'aof_enabled:1',
      'aof_last_write_status:ok',
      '# Replication',
      'role:master',
      'connected_slaves:1',
      'slave0:ip=10.0.0.2,port=6380,state=online,offset=1234,lag=3',
      'master_repl_offset:1300',
      '# Errorstats',
      'errorstat_WRONGTYPE:count=4',
      '',
    ].join('\r\n')
    const text = infoSeries(info, { length: 2, last: { id: 9, micros: 150_000 } }).join('\n')
    expect(text).toContain('redis_rdb_last_bgsave_status 0')
    expect(text).toContain('redis_aof_last_write_status 1')
    expect(text).toContain(
      'redis_connected_slave_lag_seconds{slave_ip="10.0.0.2",slave_port="6380",slave_state="online"} 3',
    )
    expect(text).toContain(
      'redis_connected_slave_offset_bytes{slave_ip="10.0.0.2",slave_port="6380",slave_state="online"} 1234',
    )
    expect(text).toContain('redis_errors_total{err="WRONGTYPE"} 4')
    expect(text).toContain('redis_slowlog_last_id 9')
    expect(text).toContain('redis_last_slow_execution_duration_seconds 0.15')
    expect(text).toContain('# TYPE redis_errors_total counter')
    // A field INFO did not send is left out, not reported as 0.
    expect(text).not.toContain('redis_keyspace_hits_total')
  })
})

describe('Counters', () => {
  it('counts per label set and renders only what was counted', () => {
    const counters = new Counters({ floodgate_limiter_decisions_total: 'Decisions.' })
    expect(counters.render()).toBe('')
    counters.inc('floodgate_limiter_decisions_total', { prefix: 'api', result: 'allowed' })
    counters.inc('floodgate_limiter_decisions_total', { prefix: 'api', result: 'allowed' })
    counters.inc('floodgate_limiter_decisions_total', { prefix: 'api', result: 'denied' }, 3)
    expect(counters.render()).toBe(
      [
        '# HELP floodgate_limiter_decisions_total Decisions.',
        '# TYPE floodgate_limiter_decisions_total counter',
        'floodgate_limiter_decisions_total{prefix="api",result="allowed"} 2',
        'floodgate_limiter_decisions_total{prefix="api",result="denied"} 3',
        '',
      ].join('\n'),
    )
    expect(() => counters.inc('other_total')).toThrow(TypeError)
    expect(() => counters.inc('floodgate_limiter_decisions_total', {}, -1)).toThrow(TypeError)
  })
})
