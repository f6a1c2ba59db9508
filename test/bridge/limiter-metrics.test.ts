/**
 * Limiter decisions on the bridge's `/metrics`, read from the analytics a limiter records in a
 * real Valkey, through a real bridge: the decisions of the last five complete one-minute buckets
 * per prefix and outcome; older buckets left out; a bridge whose Valkey is gone still answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/bridge/config.ts'
import { limiterMetrics } from '../../src/bridge/limiter-metrics.ts'
import { connect } from '../../src/bridge/node/socket.ts'
import { startBridge } from '../../src/bridge/node/start.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { ConfigError } from '../../src/errors.ts'
import { createRecorder } from '../../src/limit/analytics.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { scrape, startTestBridge, TOKEN, useBridge, value } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const MINUTE = 60_000
let client: Client
beforeAll(() => {
  client = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => client.close())

/** Records `n` decisions of `outcome` for `prefix`, dated `ago` ms back. */
const record = async (
  prefix: string,
  outcome: 'allowed' | 'denied' | 'denyList',
  n: number,
  ago: number,
  bucket = MINUTE,
) => {
  const recorder = createRecorder(client, prefix, { bucket })
  const at = Date.now() - ago
  const writes = Array.from({ length: n }, (_, i) => recorder.record(`id-${i % 3}`, outcome, at))
  await Promise.all(writes)
}

describe('limiter decisions on /metrics', () => {
  it('sums the last five complete buckets per prefix and outcome, older ones left out', async () => {
    await record('api', 'allowed', 7, MINUTE)
    await record('api', 'allowed', 5, 2 * MINUTE)
    await record('api', 'denied', 4, 2 * MINUTE)
    await record('api', 'denyList', 2, MINUTE)
    await record('api', 'denied', 50, 10 * MINUTE) // outside the window
    await record('we"ird\\', 'denied', 3, MINUTE)
    await record('stale', 'allowed', 9, 20 * MINUTE) // its newest bucket is outside the window
    const text = await scrape(bridge.url)
    expect(value(text, 'floodgate_limiter_analytics_up')).toBe(1)
    expect(value(text, 'floodgate_limiter_decisions_window_seconds')).toBe(300)
    expect(value(text, 'floodgate_limiter_decisions{prefix="api",outcome="allowed"}')).toBe(12)
    expect(value(text, 'floodgate_limiter_decisions{prefix="api",outcome="denied"}')).toBe(4)
    expect(value(text, 'floodgate_limiter_decisions{prefix="api",outcome="deny_list"}')).toBe(2)
    expect(value(text, 'floodgate_limiter_decisions{prefix="we\\"ird\\\\",outcome="denied"}')).toBe(3)
    expect(text).not.toContain('prefix="stale"')
    expect(text).toMatch(/^# TYPE floodgate_limiter_decisions gauge$/m)
  })

  it('reads the newest prefixes first, at most maxPrefixes, or the configured ones', async () => {
    await record('older', 'allowed', 1, 4 * MINUTE)
    await record('newer', 'denied', 2, MINUTE)
    const upstream = { pipeline: (commands: string[][]) => client.pipeline(commands) }
    const capped = await limiterMetrics({ upstream, maxPrefixes: 1 }).render()
    expect(capped.match(/outcome="allowed"/g)).toHaveLength(1)
    expect(capped).not.toContain('prefix="older"')
    const chosen = await limiterMetrics({ upstream, prefixes: ['older', 'none'] }).render()
    expect(value(chosen, 'floodgate_limiter_decisions{prefix="older",outcome="allowed"}')).toBe(1)
    expect(value(chosen, 'floodgate_limiter_decisions{prefix="none",outcome="denied"}')).toBe(0)
    expect(chosen).not.toContain('prefix="api"')
    const wider = await limiterMetrics({ upstream, prefixes: ['api'], buckets: 10 }).render()
    expect(value(wider, 'floodgate_limiter_decisions_window_seconds')).toBe(600)
    // 10 minutes back now reaches the bucket of the 50 denials (or the minute rolled past it).
    expect(value(wider, 'floodgate_limiter_decisions{prefix="api",outcome="denied"}')).toBeGreaterThanOrEqual(
      4,
    )
    expect(() => limiterMetrics({ upstream, buckets: 0 })).toThrow(TypeError)
  })

  it('reads the bucket width given with --analytics-bucket', async () => {
    const config = parseConfig(
      ['--token', TOKEN, '--listen', '127.0.0.1:0', '--analytics-bucket', '10 s'],
      {},
    )
    if (config === 'help') throw new Error('unreachable')
    expect(config.analyticsBucket).toBe(10_000)
    expect(() => parseConfig(['--token', TOKEN, '--analytics-bucket', 'soon'], {})).toThrow(ConfigError)
    // A bare number is refused too, and the message asks for the unit rather than offer milliseconds.
    expect(() => parseConfig(['--token', TOKEN, '--analytics-bucket', '60000'], {})).toThrow(
      /--analytics-bucket must be a positive duration with its unit, like '10 s'/,
    )
    await record('tens', 'denied', 6, 10_000, 10_000)
    await record('tens', 'allowed', 4, 25_000, 10_000)
    const tens = await startBridge({ ...config, upstream: valkey.url })
    try {
      const text = await scrape(tens.url)
      expect(value(text, 'floodgate_limiter_decisions_window_seconds')).toBe(50)
      expect(value(text, 'floodgate_limiter_decisions{prefix="tens",outcome="denied"}')).toBe(6)
      expect(value(text, 'floodgate_limiter_decisions{prefix="tens",outcome="allowed"}')).toBe(4)
    } finally {
      await tens.close()
    }
    // The default bridge still reads minute buckets.
    const minutes = await scrape(bridge.url)
    expect(value(minutes, 'floodgate_limiter_decisions_window_seconds')).toBe(300)
  })

  it('reads once per prefix and bucket, which Valkey counts as keyspace hits or misses; off with --limiter-metrics=false', async () => {
    const stats = () => {
      const info = valkey.server.cli('INFO', 'stats')
      return ['hits', 'misses'].map((k) => Number(new RegExp(`keyspace_${k}:(\\d+)`).exec(info)![1]))
    }
    const upstream = { pipeline: (commands: string[][]) => client.pipeline(commands) }
    const [hits, misses] = stats()
    await limiterMetrics({ upstream, prefixes: ['api'] }).render()
    const [hits2, misses2] = stats()
    // Five HGETALLs on 'api': its two recorded buckets are hits, the three others misses.
    expect([hits2! - hits!, misses2! - misses!]).toEqual([2, 3])
    const config = parseConfig(['--token', TOKEN, '--listen', '127.0.0.1:0', '--limiter-metrics=false'], {})
    if (config === 'help') throw new Error('unreachable')
    expect(config.limiterMetrics).toBe(false)
    const off = await startBridge({ ...config, upstream: valkey.url })
    try {
      const text = await scrape(off.url)
      expect(text).toMatch(/^redis_up 1$/m)
      expect(text).not.toContain('floodgate_limiter_')
    } finally {
      await off.close()
    }
  })

  it('answers with analytics_up 0 when Valkey is gone', async () => {
    const dead = await startTestBridge(`redis://127.0.0.1:${await freePort()}`, {
      overrides: { upstreamTimeout: 500 },
    })
    try {
      const text = await scrape(dead.url)
      expect(value(text, 'floodgate_limiter_analytics_up')).toBe(0)
      expect(text).not.toMatch(/^floodgate_limiter_decisions\{/m)
    } finally {
      await dead.close()
    }
  })
})
