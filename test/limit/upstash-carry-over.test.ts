/**
 * Switching from `@upstash/ratelimit` grants no fresh quota: the real `@upstash/ratelimit` 2.2
 * writes its counters through floodgate's bridge into a real Valkey, then floodgate's `Ratelimit`
 * with `migrateFromUpstash` continues them, for each algorithm Upstash has.
 */
import { Ratelimit as UpstashRatelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/client/http/client.ts'
import { Ratelimit } from '../../src/limit/ratelimit.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)

const upstash = (prefix: string, limiter: ReturnType<typeof UpstashRatelimit.fixedWindow>) =>
  new UpstashRatelimit({
    redis: new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false }),
    limiter,
    prefix,
    ephemeralCache: false,
  })

const successes = async (limit: (id: string) => Promise<{ success: boolean }>, id: string, n: number) => {
  const out: boolean[] = []
  for (let i = 0; i < n; i++) out.push((await limit(id)).success)
  return out
}

// Hour-long windows: a window boundary inside one test would restart the count on both sides.
describe.each([
  ['fixedWindow', UpstashRatelimit.fixedWindow(10, '1 h'), Ratelimit.fixedWindow(10, '1 h')],
  ['slidingWindow', UpstashRatelimit.slidingWindow(10, '1 h'), Ratelimit.slidingWindow(10, '1 h')],
  ['tokenBucket', UpstashRatelimit.tokenBucket(1, '1 h', 10), Ratelimit.tokenBucket(1, '1 h', 10)],
] as const)('migrateFromUpstash with %s', (name, theirs, ours) => {
  it('continues the 7 calls @upstash/ratelimit counted: 3 more pass, then the limit holds', async () => {
    const prefix = `carry-${name}`
    const before = upstash(prefix, theirs)
    expect(await successes((id) => before.limit(id), 'user-1', 7)).toEqual(
      Array.from({ length: 7 }, () => true),
    )

    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    const after = new Ratelimit({ redis: client, limiter: ours, prefix, migrateFromUpstash: true })
    expect(await successes((id) => after.limit(id), 'user-1', 4)).toEqual([true, true, true, false])
    // An identifier Upstash never saw starts with its full quota.
    expect(await successes((id) => after.limit(id), 'user-2', 10)).toEqual(
      Array.from({ length: 10 }, () => true),
    )

    // A second process switching over charges nothing again: the carry happened once.
    const second = new Ratelimit({ redis: client, limiter: ours, prefix, migrateFromUpstash: true })
    expect((await second.getRemaining('user-1')).remaining).toBe(0)
    await second.resetUsedTokens('user-1')
    expect(await successes((id) => second.limit(id), 'user-1', 10)).toEqual(
      Array.from({ length: 10 }, () => true),
    )
    await client.close()
  })

  it('without the option, the switch would have granted a fresh quota (what the option prevents)', async () => {
    const prefix = `fresh-${name}`
    const before = upstash(prefix, theirs)
    await successes((id) => before.limit(id), 'user-1', 10)
    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    const after = new Ratelimit({ redis: client, limiter: ours, prefix })
    expect((await after.limit('user-1')).success).toBe(true)
    await client.close()
  })
})

describe('migrateFromUpstash when Upstash already exhausted the quota', () => {
  it('denies from the first call', async () => {
    const before = upstash('carry-full', UpstashRatelimit.slidingWindow(5, '1 h'))
    expect(await successes((id) => before.limit(id), 'user-1', 6)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ])
    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    const after = new Ratelimit({
      redis: client,
      limiter: Ratelimit.slidingWindow(5, '1 h'),
      prefix: 'carry-full',
      migrateFromUpstash: true,
    })
    const result = await after.limit('user-1')
    expect([result.success, result.remaining]).toEqual([false, 0])
    await client.close()
  })
})
