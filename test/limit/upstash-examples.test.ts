/**
 * `@upstash/ratelimit`'s README and docs examples (test/limit/upstash-examples/, each with only its
 * import changed to floodgate) run against two real Valkeys through floodgate's bridge, reached
 * by the unmodified `@upstash/redis` client from the env variables the examples read. That they
 * type-check is `tsc -p tsconfig.json`'s part (the folder is in its `include`).
 */
import { Redis } from '@upstash/redis'
import { beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { readAnalytics } from '../../src/limit/analytics-report.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useValkey } from '../support/use-valkey.ts'
import { bucket, cachedFixed, fixed, sliding } from './upstash-examples/algorithms.ts'
import { caching, customRates, dynamic, multipleLimits, timeout } from './upstash-examples/features.ts'
import { blockUntilReady, resetAndRemaining } from './upstash-examples/methods.ts'
import { multiRegion } from './upstash-examples/multi-region.ts'
import { readmeBasic, readmeTelemetry } from './upstash-examples/readme-basic.ts'
import { protection } from './upstash-examples/traffic-protection.ts'

const us = useValkey()
const eu = useValkey()
const usBridge = useBridge(us)
const euBridge = useBridge(eu)

beforeAll(() => {
  process.env.UPSTASH_REDIS_REST_URL = usBridge.url
  process.env.UPSTASH_REDIS_REST_TOKEN = TOKEN
  process.env.US1_UPSTASH_REDIS_REST_URL = usBridge.url
  process.env.US1_UPSTASH_REDIS_REST_TOKEN = TOKEN
  process.env.EU2_UPSTASH_REDIS_REST_URL = euBridge.url
  process.env.EU2_UPSTASH_REDIS_REST_TOKEN = TOKEN
  process.env.UPSTASH_DISABLE_TELEMETRY = '1'
})

const times = async <T>(n: number, call: () => Promise<T>): Promise<T[]> => {
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(await call())
  return out
}

/** The examples share the identifier "api": each test that uses it starts it afresh. */
const forgetApi = async () => {
  for (const server of [us, eu]) {
    const client = createTcpClient({ url: server.url, connect })
    const keys = (await client.send(['KEYS', '{@upstash/ratelimit:api}:*'])) as string[]
    if (keys.length > 0) await client.send(['DEL', ...keys])
    await client.close()
  }
}

describe("@upstash/ratelimit's examples, import changed to floodgate", () => {
  it('README basic usage: 10 calls pass, the 11th is refused, and analytics counted both', async () => {
    const answers = await times(11, readmeBasic)
    expect(answers.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 'Here you go!'))
    expect(answers[10]).toBe('Unable to process at this time')
    await new Promise((resolve) => setTimeout(resolve, 50)) // the examples do not await `pending`
    const client = createTcpClient({ url: us.url, connect })
    const [report] = await readAnalytics(client, { prefixes: ['@upstash/ratelimit'], buckets: 2 })
    await client.close()
    expect(report!.totals).toEqual({ allowed: 10, denied: 1, denyList: 0 })
    expect(report!.topDenied).toEqual([{ value: 'api', count: 1 }])
    expect((await readmeTelemetry().limit('telemetry')).success).toBe(true)
  })

  it('algorithms page: fixed, sliding, token bucket and cached fixed window each stop at their limit', async () => {
    for (const [make, limit] of [
      [fixed, 10],
      [sliding, 10],
      [bucket, 10],
    ] as const) {
      const ratelimit = make()
      const id = `algo-${limit}-${make.name}`
      // Sent together (one pipeline, decided in order): the token bucket refills one token every
      // 2 s, which a slow run of sequential calls would see.
      await clearOfWindowEdge(10_000, 3000)
      const results = await Promise.all(Array.from({ length: limit + 1 }, () => ratelimit.limit(id)))
      expect(results.map((r) => r.success)).toEqual([...Array.from({ length: limit }, () => true), false])
      expect(results[limit - 1]!.remaining).toBe(0)
    }
    const cachedLimiter = cachedFixed()
    await clearOfWindowEdge(5000, 2500)
    const results = await times(7, () => cachedLimiter.limit('cached'))
    expect(results.map((r) => r.success)).toEqual([true, true, true, true, true, false, false])
    expect(results[6]!.reason).toBe('cacheBlock')
  })

  it('features page: cache blocks, timeout, multiple limits, custom rates and dynamic limits', async () => {
    const cached = caching()
    const answers = await times(4, () => cached.limit('cache-ip'))
    expect(answers.map((r) => [r.success, r.reason])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, undefined],
      [false, 'cacheBlock'],
    ])
    expect((await timeout().limit('timeout-id')).success).toBe(true)

    const tiers = multipleLimits()
    const free = await times(11, () => tiers.free.limit('tier-user'))
    const paid = await times(11, () => tiers.paid.limit('tier-user'))
    expect(free.filter((r) => r.success)).toHaveLength(10)
    expect(paid.filter((r) => r.success)).toHaveLength(11)

    await forgetApi()
    expect(await times(3, () => customRates(5))).toEqual([true, true, false])

    const { first, ratelimit } = await dynamic()
    expect(first).toEqual({ dynamicLimit: 5 })
    expect(await ratelimit.getDynamicLimit()).toEqual({ dynamicLimit: null })
    await ratelimit.setDynamicLimit({ limit: 3 })
    const limited = await times(4, () => ratelimit.limit('dynamic-user'))
    expect(limited.map((r) => [r.success, r.limit])).toEqual([
      [true, 3],
      [true, 3],
      [true, 3],
      [false, 3],
    ])
    // The key is Upstash's, so a limit set by @upstash/ratelimit before the switch still applies.
    expect(await Redis.fromEnv().get('@upstash/ratelimit:dynamic:global')).toBe(3)
  })

  it('methods page: blockUntilReady passes at once under the limit; reset gives the quota back', async () => {
    expect(await blockUntilReady()).toBe('done')
    const { before, remaining } = await resetAndRemaining()
    expect(before.remaining).toBe(9)
    expect(remaining).toBe(10)
  })

  it('traffic protection page: a deny-listed IP is refused with reason and value, others pass', async () => {
    const redis = Redis.fromEnv()
    // The automatic IP list is marked fresh, so no download from GitHub is attempted (tests only
    // talk to 127.0.0.1); then a value is denied the way the Upstash console stores it.
    await redis.set('@upstash/ratelimit:ipDenyListStatus', 'valid')
    await redis.sadd('@upstash/ratelimit:denyList:all', '203.0.113.7')
    expect(await protection('203.0.113.7')).toEqual({
      success: false,
      reason: 'denyList',
      deniedValue: '203.0.113.7',
    })
    expect(await protection('198.51.100.1')).toEqual({
      success: true,
      reason: undefined,
      deniedValue: undefined,
    })
  })

  it('multi-region: decides in both regions, each holding the call', async () => {
    await forgetApi()
    expect(await multiRegion()).toBe(true)
    for (const server of [us, eu]) {
      const client = createTcpClient({ url: server.url, connect })
      const keys = (await client.send(['KEYS', '{@upstash/ratelimit:api}:*'])) as string[]
      await client.close()
      expect(keys.length).toBeGreaterThan(0)
    }
  })
})
