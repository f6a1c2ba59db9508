/**
 * Decision analytics on a real Valkey: what a limiter with analytics records, that memory
 * stays bounded (every key expires, each bucket keeps at most 2 × `top` identifiers), that the
 * write happens in `pending` (the decision does not wait for it), and what `readAnalytics` reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { bucketKey, createRecorder, REGISTRY, withAnalytics } from '../../src/limit/analytics.ts'
import { readAnalytics } from '../../src/limit/analytics-report.ts'
import { fixedWindow } from '../../src/limit/fixed-window.ts'
import { createLimiter } from '../../src/limit/limiter.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
let client: Client
beforeAll(() => {
  client = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => client.close())

const MINUTE = 60_000

describe('analytics on a limiter (withAnalytics)', () => {
  it('counts allowed and denied per identifier and bucket, written in pending', async () => {
    const limiter = withAnalytics(createLimiter({ client, prefix: 'a1', limits: fixedWindow(2, '1 h') }), {
      client,
      prefix: 'a1',
    })
    const results = []
    for (const id of ['u1', 'u1', 'u1', 'u2', 'u1']) results.push(await limiter.limit(id))
    await Promise.all(results.map((r) => r.pending))
    const [report] = await readAnalytics(client, { prefixes: ['a1'], buckets: 2 })
    expect(report!.totals).toEqual({ allowed: 3, denied: 2, denyList: 0 })
    expect(report!.topDenied).toEqual([{ value: 'u1', count: 2 }])
    expect(report!.series).toHaveLength(2)
    expect(report!.series[1]!.time % MINUTE).toBe(0)
    // Every key it wrote expires: the bucket plus a day of retention.
    const start = report!.series.find((p) => p.allowed > 0)!.time
    const ttl = (await client.send(['PTTL', bucketKey('a1', start, 'totals')])) as number
    expect(ttl).toBeGreaterThan(23 * 3600_000)
    expect(ttl).toBeLessThanOrEqual(24 * 3600_000 + MINUTE)
    expect(await client.send(['ZSCORE', REGISTRY, 'a1'])).toBe(String(start))
  })

  it('keeps at most twice top identifiers per bucket: the most frequent survive', async () => {
    const recorder = createRecorder(client, 'a2', { top: 5 })
    const now = Date.now() // one bucket for every record, however long the writes take
    const writes: Promise<unknown>[] = []
    // 'heavy-0'..'heavy-4' are denied 50 times each; 40 others once.
    for (let i = 0; i < 5; i++)
      for (let n = 0; n < 50; n++) writes.push(recorder.record(`heavy-${i}`, 'denied', now))
    await Promise.all(writes)
    for (let i = 0; i < 40; i++) await recorder.record(`light-${i}`, 'denied', now)
    const key = bucketKey('a2', now - (now % MINUTE), 'denied')
    const size = (await client.send(['ZCARD', key])) as number
    expect(size).toBeLessThanOrEqual(10)
    const [report] = await readAnalytics(client, { prefixes: ['a2'], buckets: 1, until: now, top: 5 })
    expect(report!.topDenied.map((e) => e.value).sort()).toEqual([
      'heavy-0',
      'heavy-1',
      'heavy-2',
      'heavy-3',
      'heavy-4',
    ])
    expect(report!.totals.denied).toBe(290) // the totals stay exact while identifiers are trimmed
  })

  it('lists every prefix that recorded in the range, and works on the memory backend', async () => {
    const memory = createMemoryClient()
    for (const prefix of ['m-b', 'm-a']) {
      const limiter = withAnalytics(
        createLimiter({ client: memory, prefix, limits: fixedWindow(1, '1 h') }),
        {
          client: memory,
          prefix,
        },
      )
      await (await limiter.limit('x')).pending
      await (await limiter.limit('x')).pending
    }
    const reports = await readAnalytics(memory, { buckets: 3 })
    expect(reports.map((r) => [r.prefix, r.totals.allowed, r.totals.denied])).toEqual([
      ['m-a', 1, 1],
      ['m-b', 1, 1],
    ])
  })

  it('rejects bad options with a TypeError that says what to pass', () => {
    expect(() => createRecorder(client, 'p', { top: 0 })).toThrow(
      /analytics.top must be a positive whole number/,
    )
    expect(() => createRecorder(client, 'p', { bucket: '1 h', retention: '1 m' })).toThrow(
      /retention .* must be at least one bucket/,
    )
  })
})
