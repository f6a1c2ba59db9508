/**
 * The limiter's behaviour, written once and run against every backend: real Valkey over TCP,
 * the memory backend, and (unchanged, by the cluster suite) a real Valkey Cluster. A backend is
 * a factory of Clients that share one dataset (several connections to one server).
 *
 * Tests pass an explicit `now` where exact numbers depend on window positions, and use the
 * backend's own clock where the rule is about that clock.
 */
import { afterAll, describe, expect, it, vi } from 'vitest'
import { keySlot } from '../../src/client/cluster/slot.ts'
import type { Client } from '../../src/client/types.ts'
import {
  createLimiter,
  fixedWindow,
  gcra,
  type LimiterOptions,
  slidingWindow,
  tokenBucket,
} from '../../src/limit/index.ts'
import { clearOfWindowEdge } from '../support/clock.ts'

const T0 = 1_764_000_000_000 // a multiple of 10 s and of 1 min

/** A real client that counts the calls passing through it (not a mock: it forwards each one). */
export const countingClient = (inner: Client): Client & { calls: number } => {
  const counted = {
    calls: 0,
    kind: inner.kind,
    send: (...args: Parameters<Client['send']>) => {
      counted.calls++
      return inner.send(...args)
    },
    pipeline: (...args: Parameters<Client['pipeline']>) => {
      counted.calls++
      return inner.pipeline(...args)
    },
    eval: (...args: Parameters<Client['eval']>) => {
      counted.calls++
      return inner.eval(...args)
    },
    close: () => inner.close(),
  }
  return counted
}

/**
 * `connect` opens a new connection to the backend's one dataset; it is called inside tests only.
 * `concurrentTimeout` is the limiter timeout for the 2,000-concurrent-calls case (default 15 s,
 * failing closed); a transport that needs longer for that burst, as HTTP through the bridge does on
 * a busy 2-core machine, passes more so the case tests admission, not the fail-open policy.
 */
export const limiterSuite = (
  name: string,
  connect: () => Client,
  { concurrentTimeout }: { concurrentTimeout?: number } = {},
): void => {
  describe(`limiter on ${name}`, () => {
    const clients: Client[] = []
    const open = () => {
      const client = connect()
      clients.push(client)
      return client
    }
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()))
    })
    let seq = 0
    /** A fresh prefix per test, so tests never see each other's keys. */
    const make = (options: Omit<LimiterOptions, 'client' | 'prefix'> & { client?: Client }) => {
      const prefix = `t${++seq}${Math.random().toString(36).slice(2, 6)}`
      const client = options.client ?? open()
      return { limiter: createLimiter({ blockCache: false, ...options, client, prefix }), client, prefix }
    }
    const get = (client: Client, key: string) => client.send(['GET', key])

    it('fixed window 3 per 10 s: T,T,T,F,F with remaining 2,1,0,0,0 and a stored count of 3', async () => {
      const { limiter, client, prefix } = make({ limits: fixedWindow(3, '10 s') })
      const results = []
      for (let i = 0; i < 5; i++) results.push(await limiter.limit('u', { now: T0 + 2000 }))
      expect(results.map((r) => r.success)).toEqual([true, true, true, false, false])
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0])
      expect(results.map((r) => r.reset)).toEqual(Array(5).fill(T0 + 10_000))
      expect(results.map((r) => r.retryAfter)).toEqual([0, 0, 0, 8000, 8000])
      expect(await get(client, `{${prefix}:u}:fw:10000`)).toBe(`${T0 / 10_000}:3`)
    })

    it('with an explicit now, answers depend only on the (now, call) sequence, not on real pauses', async () => {
      // Keys used to get TTLs from the simulated clock and then run down on the real one: two calls
      // at :00.997 wrote a 3 ms TTL, and after a real 50 ms pause a third call in the same window
      // found a fresh count and was admitted.
      const sequence = [T0 + 997, T0 + 997, T0 + 998, T0 + 1990, T0 + 1999, T0 + 2000, T0 + 2001]
      const cases = [
        fixedWindow(2, '1 s'),
        slidingWindow(2, '1 s'),
        tokenBucket(2, '1 s', 2),
        gcra(2, '1 s'),
        [fixedWindow(2, '1 s'), slidingWindow(3, '2 s')],
      ]
      for (const limits of cases) {
        const run = async (pause: number) => {
          const { limiter } = make({ limits, blockFor: '1 s' })
          const out = []
          for (const now of sequence) {
            const r = await limiter.limit('u', { now })
            out.push([r.success, r.remaining, r.reset, r.retryAfter])
            if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause))
          }
          return out
        }
        const quick = await run(0)
        expect(await run(60)).toEqual(quick)
        // The third call is in the same 1 s window as the first two: denied in every case.
        expect(quick[2]![0]).toBe(false)
      }
    })

    it('does not count rejected calls (Upstash fixed window counts them)', async () => {
      const { limiter } = make({ limits: fixedWindow(3, '10 s') })
      for (let i = 0; i < 6; i++) await limiter.limit('u', { now: T0 + 1000 })
      expect((await limiter.getRemaining('u', { now: T0 + 1000 })).remaining).toBe(0)
      // A refund of one proves the count is 3, not 6: one call fits again.
      await limiter.limit('u', { now: T0 + 1000, cost: -1 })
      expect(await limiter.limit('u', { now: T0 + 1000 })).toMatchObject({ success: true, remaining: 0 })
    })

    it('at a window boundary: sliding window admits none of 12, fixed window admits 10', async () => {
      const sliding = make({ limits: slidingWindow(10, '10 s') }).limiter
      const fixed = make({ limits: fixedWindow(10, '10 s') }).limiter
      for (const limiter of [sliding, fixed]) {
        for (let i = 0; i < 10; i++) expect((await limiter.limit('u', { now: T0 - 1 })).success).toBe(true)
      }
      const admittedAfter = async (limiter: typeof sliding) => {
        let admitted = 0
        for (let i = 0; i < 12; i++) if ((await limiter.limit('u', { now: T0 + 1 })).success) admitted++
        return admitted
      }
      expect(await admittedAfter(sliding)).toBe(0)
      expect(await admittedAfter(fixed)).toBe(10)
    })

    it('never lets N+1 through at a window boundary (Upstash floors the previous window)', async () => {
      const { limiter } = make({ limits: slidingWindow(10, '10 s') })
      for (let i = 0; i < 10; i++) await limiter.limit('u', { now: T0 - 1 })
      // 0.01 % into the window: floor(0.9999 × 10) = 9 would leave room for one more.
      expect((await limiter.limit('u', { now: T0 + 1 })).success).toBe(false)
    })

    it('stores nothing for a weighted call that does not fit (Upstash stores the over-limit cost)', async () => {
      const { limiter, client, prefix } = make({ limits: slidingWindow(10, '10 s') })
      expect(await limiter.limit('u', { now: T0 + 100, cost: 8 })).toMatchObject({
        success: true,
        remaining: 2,
      })
      expect(await limiter.limit('u', { now: T0 + 100, cost: 5 })).toMatchObject({
        success: false,
        remaining: 2,
      })
      expect(await get(client, `{${prefix}:u}:sw:10000`)).toBe(`${T0 / 10_000}:8:0`)
      expect(await limiter.limit('u', { now: T0 + 100, cost: 2 })).toMatchObject({
        success: true,
        remaining: 0,
      })
    })

    it('token bucket 5 per 10 s, max 10: 10 admitted, 11th denied, refills continuously', async () => {
      const { limiter } = make({ limits: tokenBucket(5, '10 s', 10) })
      const first = []
      for (let i = 0; i < 11; i++) first.push(await limiter.limit('u', { now: T0 }))
      expect(first.map((r) => r.success)).toEqual([...Array(10).fill(true), false])
      expect(first[10]).toMatchObject({ remaining: 0, retryAfter: 2000 })
      expect((await limiter.getRemaining('u', { now: T0 + 2000 })).remaining).toBe(1)
      expect((await limiter.getRemaining('u', { now: T0 + 10_000 })).remaining).toBe(5)
    })

    it('token bucket: with 2 tokens left a cost-5 call is denied and 2 remain', async () => {
      const { limiter } = make({ limits: tokenBucket(5, '10 s', 10) })
      expect(await limiter.limit('u', { now: T0, cost: 8 })).toMatchObject({ success: true, remaining: 2 })
      expect(await limiter.limit('u', { now: T0, cost: 5 })).toMatchObject({ success: false, remaining: 2 })
      expect((await limiter.getRemaining('u', { now: T0 })).remaining).toBe(2)
    })

    it('gcra 10 per 100 s with a burst of 5: 5 at once, then one per 10 s', async () => {
      const { limiter } = make({ limits: gcra(10, '100 s', { burst: 5 }) })
      const burst = []
      for (let i = 0; i < 6; i++) burst.push(await limiter.limit('u', { now: T0 }))
      expect(burst.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0, 0])
      expect(burst[5]).toMatchObject({ success: false, retryAfter: 10_000 })
      expect((await limiter.limit('u', { now: T0 + 10_000 })).success).toBe(true)
      expect((await limiter.limit('u', { now: T0 + 15_000 })).success).toBe(false)
    })

    it('consumes from no limit when one of several denies (all-or-nothing)', async () => {
      // Windows of 10 s and 1 h (not 1 s and 1 min): keys expire on the server's real clock, and a
      // loaded machine must not let one expire between two calls of this test.
      const { limiter } = make({ limits: [fixedWindow(2, '10 s'), fixedWindow(3, '1 h')] })
      const at = (now: number) => limiter.limit('u', { now })
      expect((await at(T0)).success).toBe(true)
      expect((await at(T0)).success).toBe(true)
      expect(await at(T0)).toMatchObject({
        success: false,
        limit: 2,
        policy: '2-per-10s',
        retryAfter: 10_000,
      })
      // The short-window denial left the hourly count at 2, so one more call fits in the next window...
      expect(await at(T0 + 10_000)).toMatchObject({
        success: true,
        limit: 3,
        remaining: 0,
        policy: '3-per-1h',
      })
      // ...and the hourly denial left the short-window count at 1.
      expect(await at(T0 + 10_000)).toMatchObject({ success: false, limit: 3, retryAfter: 3_590_000 })
      const left = await limiter.getRemaining('u', { now: T0 + 10_000 })
      expect(left.policies.map((p) => p.remaining)).toEqual([1, 0])
    })

    it('checks 16 limits of all four algorithms together, with a block duration; refuses a 17th', async () => {
      const factories = [
        (i: number) => fixedWindow(2 + i, `${10 + i} h`),
        (i: number) => slidingWindow(2 + i, `${10 + i} h`),
        (i: number) => tokenBucket(1, `${10 + i} h`, 2 + i),
        (i: number) => gcra(2 + i, `${10 + i} h`, { burst: 2 + i }),
      ]
      const limits = Array.from({ length: 16 }, (_, i) => factories[i % 4]!(i))
      const { limiter } = make({ limits, blockFor: '1 h' })
      const results = []
      for (let i = 0; i < 3; i++) results.push(await limiter.limit('u', { now: T0 }))
      expect(results.map((r) => [r.success, r.policy])).toEqual([
        [true, '2-per-10h'],
        [true, '2-per-10h'],
        [false, '2-per-10h'],
      ])
      expect(results[1]!.policies.map((p) => p.remaining)).toEqual(limits.map((l) => l.limit - 2))
      // The denial consumed nothing anywhere, and started the block.
      expect(results[2]!.policies.map((p) => p.remaining)).toEqual(
        limits.map((l, i) => (i === 0 ? 0 : l.limit - 2)),
      )
      expect(results[2]!.retryAfter).toBe(36_000_000)
      expect(() =>
        createLimiter({ client: open(), limits: [...limits, fixedWindow(1, '99 h')], prefix: 'x' }),
      ).toThrow(/at most 16 limits are checked together, received 17/)
    })

    it('decides on the server clock, not the caller clock, unless now is passed', async () => {
      const { limiter } = make({ limits: fixedWindow(5, '10 s') })
      const real = Date.now()
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2001-01-01T00:00:00Z') })
      try {
        const result = await limiter.limit('u')
        expect(result.reset).toBeGreaterThan(real)
        expect(result.reset).toBeLessThanOrEqual(real + 10_000 + 60_000)
      } finally {
        vi.useRealTimers()
      }
      // An explicit now wins over both clocks.
      expect((await limiter.limit('v', { now: T0 + 1 })).reset).toBe(T0 + 10_000)
    })

    it('gives every key a TTL no longer than needed (Upstash cachedFixedWindow keys never expire)', async () => {
      const limits = [
        fixedWindow(5, '10 s'),
        slidingWindow(5, '10 s'),
        tokenBucket(1, '1 s', 5),
        gcra(1, '1 s', { burst: 5 }),
      ]
      const { limiter, client, prefix } = make({ limits, blockFor: '30 s' })
      // The second call must meet the first's window of the server clock.
      await clearOfWindowEdge(10_000, 500)
      await limiter.limit('u', { cost: 3 })
      await limiter.limit('u', { cost: 3 }) // denied: sets the block key
      const ttl = async (suffix: string) => Number(await client.send(['PTTL', `{${prefix}:u}:${suffix}`]))
      // 3 of 5 tokens used at 1 per second: the bucket and the GCRA cell are whole again in 3 s.
      const bounds: Array<[string, number, number]> = [
        ['fw:10000', 0, 10_000],
        ['sw:10000', 10_000, 20_000],
        ['tb:1000', 2000, 3000],
        ['gcra:1000:1', 2000, 3000],
        ['block', 25_000, 30_000],
      ]
      for (const [suffix, above, atMost] of bounds) {
        const left = await ttl(suffix)
        expect(left, suffix).toBeGreaterThan(above)
        expect(left, suffix).toBeLessThanOrEqual(atMost)
      }
    })

    it('keeps all keys of one identifier in one hash slot (Upstash sliding window hits CROSSSLOT)', async () => {
      const limits = [
        fixedWindow(5, '10 s'),
        slidingWindow(5, '10 s'),
        tokenBucket(1, '1 s', 5),
        gcra(1, '1 s'),
      ]
      const { limiter, client, prefix } = make({ limits, blockFor: 1000 })
      const keys = ['block', 'fw:10000', 'sw:10000', 'tb:1000', 'gcra:1000:1'].map(
        (s) => `{${prefix}:a}b*}:${s}`,
      )
      for (let i = 0; i < 6; i++) await limiter.limit('a}b*')
      expect(await client.send(['EXISTS', ...keys])).toBe(5)
      expect(new Set(keys.map(keySlot)).size).toBe(1)
    })

    it('reset deletes exactly that identifier, even with * in it (Upstash SCAN MATCH deletes others)', async () => {
      const { limiter } = make({ limits: fixedWindow(1, '1 m') })
      for (const id of ['user*', 'user1', 'user2']) await limiter.limit(id, { now: T0 })
      await limiter.reset('user*')
      expect((await limiter.getRemaining('user*', { now: T0 })).remaining).toBe(1)
      expect((await limiter.getRemaining('user1', { now: T0 })).remaining).toBe(0)
      expect((await limiter.getRemaining('user2', { now: T0 })).remaining).toBe(0)
    })

    it('getRemaining consumes nothing', async () => {
      const { limiter } = make({ limits: slidingWindow(4, '10 s') })
      await limiter.limit('u', { now: T0 })
      for (let i = 0; i < 3; i++) {
        expect(await limiter.getRemaining('u', { now: T0 })).toMatchObject({
          remaining: 3,
          limit: 4,
          reset: T0 + 20_000,
        })
      }
    })

    it('refunds with a negative cost, never beyond a fresh quota', async () => {
      const { limiter } = make({ limits: fixedWindow(10, '10 s') })
      expect((await limiter.limit('u', { now: T0, cost: 4 })).remaining).toBe(6)
      expect((await limiter.limit('u', { now: T0, cost: -2 })).remaining).toBe(8)
      expect((await limiter.limit('u', { now: T0, cost: -5 })).remaining).toBe(10)
      expect((await limiter.limit('u', { now: T0, cost: 11 })).success).toBe(false)
    })

    it('stays blocked for blockFor after a denial, even once the window has reset', async () => {
      const { limiter } = make({ limits: fixedWindow(1, '10 s'), blockFor: '100 s' })
      expect((await limiter.limit('u', { now: T0 })).success).toBe(true)
      expect(await limiter.limit('u', { now: T0 })).toMatchObject({ success: false, retryAfter: 100_000 })
      expect(await limiter.limit('u', { now: T0 + 20_000 })).toMatchObject({
        success: false,
        remaining: 0,
        retryAfter: 80_000,
        reset: T0 + 100_000,
      })
      expect((await limiter.getRemaining('u', { now: T0 + 20_000 })).remaining).toBe(0)
      expect((await limiter.limit('u', { now: T0 + 100_000 })).success).toBe(true)
    })

    it('after a denial, answers from the block cache with zero backend calls until it may pass', async () => {
      const client = countingClient(open())
      const { limiter } = make({ limits: fixedWindow(2, '10 s'), blockCache: true, client })
      for (let i = 0; i < 3; i++) await limiter.limit('u', { now: T0 + 1000 })
      expect(client.calls).toBe(3)
      for (let i = 0; i < 50; i++) {
        expect(await limiter.limit('u', { now: T0 + 1000 + i * 100 })).toMatchObject({
          success: false,
          reason: 'cacheBlock',
          remaining: 0,
          retryAfter: 9000 - i * 100,
          reset: T0 + 10_000,
        })
      }
      expect(client.calls).toBe(3)
      // Another identifier still goes to the backend; so does the blocked one once the window ends.
      expect((await limiter.limit('v', { now: T0 + 1000 })).success).toBe(true)
      expect((await limiter.limit('u', { now: T0 + 10_000 })).success).toBe(true)
      expect(client.calls).toBe(5)
    })

    it('makes one backend call per decision', async () => {
      const client = countingClient(open())
      const { limiter } = make({ limits: [slidingWindow(5, '1 s'), fixedWindow(100, '1 d')], client })
      for (let i = 0; i < 10; i++) await limiter.limit('u', { now: T0 })
      expect(client.calls).toBe(10)
    })

    it('admits exactly 100 of 2,000 concurrent calls over several connections', async () => {
      const limiters = Array.from({ length: 4 }, () => {
        const client = open()
        return createLimiter({
          client,
          limits: slidingWindow(100, '1 m'),
          prefix: 'concurrent',
          blockCache: false,
          // Fail closed, and late: on a loaded machine a slow answer must not become an admission.
          timeout: concurrentTimeout ?? 15_000,
          onTimeout: 'deny',
        })
      })
      const results = await Promise.all(
        Array.from({ length: 2000 }, (_, i) => limiters[i % 4]!.limit('one', { now: T0 + 5 })),
      )
      expect(results.filter((r) => r.success)).toHaveLength(100)
      expect(results.filter((r) => r.reason !== undefined)).toHaveLength(0)
    })

    it('throws a TypeError for bad identifiers, costs and options', async () => {
      const { limiter, client } = make({ limits: fixedWindow(1, '1 s') })
      await expect(limiter.limit('')).rejects.toThrow(/identifier must be a non-empty string/)
      await expect(limiter.limit('u', { cost: 1.5 })).rejects.toThrow(/cost must be a whole number/)
      await expect(limiter.limit('u', { now: -1 })).rejects.toThrow(/now must be epoch milliseconds/)
      expect(() => createLimiter({ client, limits: [] })).toThrow(TypeError)
      expect(() => createLimiter({ client, limits: [fixedWindow(1, '1 s'), fixedWindow(2, 1000)] })).toThrow(
        /share a window/,
      )
      expect(() => createLimiter({ client, limits: fixedWindow(1, '1 s'), prefix: 'a{b' })).toThrow(/prefix/)
      expect(() =>
        createLimiter({ client, limits: fixedWindow(1, '1 s'), onTimeout: 'maybe' as never }),
      ).toThrow(/onTimeout must be 'allow' or 'deny'/)
      expect(() => fixedWindow(0, '1 s')).toThrow(/limit must be a positive whole number, received 0/)
      expect(() => slidingWindow(1, '1 x' as never)).toThrow(/received '1 x'/)
    })
  })
}
