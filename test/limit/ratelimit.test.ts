/**
 * The @upstash/ratelimit-compatible class: the code from Upstash's README, with only the import
 * changed, on real Valkey and on the memory backend.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { Ratelimit } from '../../src/limit/index.ts'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()

const backends: Array<[string, () => Client]> = [
  ['Valkey over TCP', () => createTcpClient({ url: valkey.url, connect })],
  ['the memory backend', () => createMemoryClient()],
]

describe.each(backends)('Ratelimit on %s', (_, connectTo) => {
  // The README example's fixed window of 10 s follows the real clock.
  beforeEach(() => clearOfWindowEdge(10_000))

  it('runs the @upstash/ratelimit README code unchanged but for the import', async () => {
    const redis = connectTo()
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(3, '10 s'),
      prefix: `readme${Math.random()}`,
    })
    const results = []
    for (let i = 0; i < 5; i++) results.push(await ratelimit.limit('127.0.0.1'))
    expect(results.map((r) => r.success)).toEqual([true, true, true, false, false])
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0])
    expect(results.map((r) => r.reason)).toEqual([undefined, undefined, undefined, undefined, 'cacheBlock'])
    for (const r of results) {
      expect(r.limit).toBe(3)
      expect(r.reset % 10_000).toBe(0)
      await r.pending
    }
    expect((await ratelimit.getRemaining('127.0.0.1')).remaining).toBe(0)
    await ratelimit.resetUsedTokens('127.0.0.1')
    expect(await ratelimit.getRemaining('127.0.0.1')).toMatchObject({ remaining: 3, limit: 3 })
    expect(await ratelimit.limit('127.0.0.1', { rate: 2 })).toMatchObject({ success: true, remaining: 1 })
    await redis.close()
  })

  it('blockUntilReady waits until the call passes, or returns the denial at the deadline', async () => {
    const redis = connectTo()
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.tokenBucket(1, '200 ms', 1),
      prefix: `ready${Math.random()}`,
    })
    expect((await ratelimit.limit('u')).success).toBe(true)
    expect((await ratelimit.blockUntilReady('u', 20)).success).toBe(false)
    expect((await ratelimit.blockUntilReady('u', 2000)).success).toBe(true)
    await expect(ratelimit.blockUntilReady('u', 0)).rejects.toThrow(TypeError)
    await redis.close()
  })
})
