/**
 * The cache's behaviour, run on every backend (memory, and Valkey over TCP): hits and misses,
 * in-process coalescing, grace, failures, negative caching, tags, soft timeouts, skip, the L1.
 */
import { describe, expect, it } from 'vitest'
import { createCache } from '../../src/cache/cache.ts'
import type { CacheOptions, GetOrSetOptions } from '../../src/cache/options.ts'
import type { Client } from '../../src/client/types.ts'
import { CacheError } from '../../src/errors.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
let unique = 0

export const cacheSuite = (name: string, makeClient: () => Client): void => {
  describe(`cache on ${name}`, () => {
    const setup = (options: Partial<CacheOptions> = {}) => {
      // A backend timeout no loaded machine reaches: a timeout would turn a lookup into a fallback.
      const cache = createCache({ client: makeClient(), prefix: `t${++unique}`, timeout: 30_000, ...options })
      const key = `k${unique}`
      return { cache, key }
    }

    it('computes on a miss, then answers from the cache', async () => {
      const { cache, key } = setup()
      let calls = 0
      const factory = () => ({ n: ++calls, at: new Date(7) })
      const first = await cache.load(key, factory, { ttl: '1 m' })
      const second = await cache.load(key, factory)
      expect([first.status, second.status]).toEqual(['miss', 'hit'])
      expect(second.value).toEqual({ n: 1, at: new Date(7) })
      expect(calls).toBe(1)
      expect(cache.metrics()).toMatchObject({ hits: 1, misses: 1, factoryCalls: 1 })
    })

    it("applies each call's options, when a caller reuses an options object or changes it", async () => {
      const { cache, key } = setup()
      const tags = ['a']
      const options: GetOrSetOptions = { tags, ttl: '1 h' }
      expect(await cache.getOrSet(`${key}:1`, () => 1, options)).toBe(1)
      tags[0] = 'b' // the same array and object, now another tag
      expect(await cache.getOrSet(`${key}:2`, () => 2, options)).toBe(2)
      await cache.invalidateTags(['b'])
      expect(await cache.load(`${key}:1`, () => 10, options)).toMatchObject({ status: 'hit', value: 1 })
      expect(await cache.load(`${key}:2`, () => 20, options)).toMatchObject({ status: 'miss', value: 20 })
      // A new literal with other values each call: each gets its own ttl.
      for (const [i, ttl] of ([20, '1 h'] as const).entries())
        await cache.getOrSet(`${key}:t${i}`, () => i, { ttl })
      await sleep(60)
      expect((await cache.load(`${key}:t0`, () => 'again', { ttl: 20 })).status).toBe('miss')
      expect((await cache.load(`${key}:t1`, () => 'again', { ttl: '1 h' })).status).toBe('hit')
      await expect(cache.getOrSet(key, () => 0, { ttl: -1 })).rejects.toThrow(TypeError)
    })

    it('makes one factory call for 500 concurrent misses in one process', async () => {
      const { cache, key } = setup()
      let calls = 0
      const factory = async () => {
        calls++
        await sleep(30)
        return 'v'
      }
      const values = await Promise.all(Array.from({ length: 500 }, () => cache.getOrSet(key, factory)))
      expect(new Set(values)).toEqual(new Set(['v']))
      expect(calls).toBe(1)
    })

    it('within grace answers every caller with the stale value at once and refreshes once', async () => {
      const { cache, key } = setup({ ttl: 100, grace: '1 m' })
      let calls = 0
      let release = () => {}
      const factory = async () => {
        calls++
        if (calls > 1) await new Promise<void>((r) => (release = r))
        return calls
      }
      await cache.getOrSet(key, factory)
      await sleep(130)
      const stale = []
      for (let i = 0; i < 20; i++) stale.push(await cache.load(key, factory))
      expect(stale.map((r) => [r.status, r.value])).toEqual(Array.from({ length: 20 }, () => ['stale', 1]))
      expect(calls).toBe(2) // the one refresh, still running
      release()
      await Promise.all(stale.map((r) => r.pending))
      expect(await cache.load(key, factory)).toMatchObject({ status: 'hit', value: 2 })
      expect(cache.metrics()).toMatchObject({ staleServed: 20, refreshes: 1 })
    })

    it('keeps serving stale while a refresh fails, and does not retry it before graceBackoff', async () => {
      const { cache, key } = setup({ ttl: 80, grace: '1 m', graceBackoff: '1 m' })
      let calls = 0
      await cache.getOrSet(key, () => 'old')
      await sleep(100)
      const failing = () => {
        calls++
        throw new Error('upstream down')
      }
      const first = await cache.load(key, failing)
      await first.pending
      const second = await cache.load(key, failing)
      await second.pending
      expect([first.value, second.value]).toEqual(['old', 'old'])
      expect(calls).toBe(1)
      expect(cache.metrics().errors).toBe(1)
    })

    it('does not cache a factory error unless negativeTtl is set', async () => {
      const { cache, key } = setup()
      let calls = 0
      const failing = () => {
        calls++
        throw new Error('boom')
      }
      await expect(cache.getOrSet(key, failing)).rejects.toThrow('boom')
      await expect(cache.getOrSet(key, failing)).rejects.toThrow('boom')
      expect(calls).toBe(2)
      expect(await cache.getOrSet(key, () => 'fine')).toBe('fine')

      const negative = setup()
      await expect(negative.cache.getOrSet(negative.key, failing, { negativeTtl: '1 m' })).rejects.toThrow(
        'boom',
      )
      const again = await negative.cache.getOrSet(negative.key, failing).catch((e: CacheError) => e)
      expect(again).toBeInstanceOf(CacheError)
      expect((again as CacheError).code).toBe('ERR_CACHE_NEGATIVE')
      expect((again as CacheError).message).toMatch(/failed recently: boom/)
      expect(calls).toBe(3)
    })

    it('invalidates every entry of a tag, and only those', async () => {
      const { cache, key } = setup()
      let version = 1
      const factory = () => version
      await cache.getOrSet(`${key}:a`, factory, { tags: ['team:1', 'all'] })
      await cache.getOrSet(`${key}:b`, factory, { tags: ['team:2'] })
      version = 2
      await cache.invalidateTags(['team:1'])
      expect(await cache.getOrSet(`${key}:a`, factory, { tags: ['team:1', 'all'] })).toBe(2)
      expect(await cache.getOrSet(`${key}:b`, factory, { tags: ['team:2'] })).toBe(1)
      // A read that does not name the tags still checks them (one more round trip).
      await cache.invalidateTags(['all'])
      expect(await cache.get(`${key}:a`)).toBeUndefined()
      expect(await cache.get(`${key}:b`)).toBe(1)
    })

    it('with softTimeout answers an invalidated value within grace while a slow factory runs on', async () => {
      const { cache, key } = setup({ grace: '1 m' })
      await cache.getOrSet(key, () => 'v1', { tags: ['t'] })
      await cache.invalidateTags(['t'])
      const slow = async () => {
        await sleep(200)
        return 'v2'
      }
      const result = await cache.load(key, slow, { tags: ['t'], softTimeout: 30 })
      expect(result).toMatchObject({ status: 'stale', value: 'v1' })
      await result.pending
      expect(await cache.get(key, { tags: ['t'] })).toBe('v2')
    })

    it('stores nothing when the factory calls skip(), and honours setOptions', async () => {
      const { cache, key } = setup()
      const once = ({ skip }: { skip(): void }) => {
        skip()
        return 'once'
      }
      expect(await cache.getOrSet(key, once)).toBe('once')
      expect(await cache.get(key)).toBeUndefined()
      await cache.getOrSet(key, ({ setOptions }) => {
        setOptions({ ttl: 50 })
        return 'short'
      })
      expect(await cache.get(key)).toBe('short')
      await sleep(80)
      expect(await cache.get(key)).toBeUndefined()
    })

    it('rejects a value it cannot store with ERR_CACHE_VALUE and frees the key', async () => {
      const { cache, key } = setup()
      const error = await cache.getOrSet(key, () => ({ f: () => 1 })).catch((e: CacheError) => e)
      expect((error as CacheError).code).toBe('ERR_CACHE_VALUE')
      expect(await cache.getOrSet(key, () => 'ok')).toBe('ok')
      await expect(cache.set(key, Symbol('x'))).rejects.toThrow(/cannot cache a symbol at \$/)
    })

    it('answers a value over maxBytes without storing it', async () => {
      const { cache, key } = setup({ maxBytes: 100 })
      expect(await cache.getOrSet(key, () => 'x'.repeat(200))).toHaveLength(200)
      expect(await cache.get(key)).toBeUndefined()
      await expect(cache.set(key, 'x'.repeat(200))).rejects.toMatchObject({ code: 'ERR_CACHE_TOO_LARGE' })
    })

    it('sets, gets and deletes', async () => {
      const { cache, key } = setup()
      await cache.set(key, new Map([['a', 1n]]), { ttl: '10 s' })
      expect(await cache.get(key)).toEqual(new Map([['a', 1n]]))
      await cache.delete(key)
      expect(await cache.get(key)).toBeUndefined()
    })

    it('refreshes a hot key early with XFetch', async () => {
      const { cache, key } = setup()
      let calls = 0
      const factory = async () => {
        calls++
        await sleep(20)
        return calls
      }
      await cache.getOrSet(key, factory, { ttl: '1 m' })
      // beta so large that any read is "close enough" to expiry: the hit is answered, then refreshed.
      const hit = await cache.load(key, factory, { beta: 1e9 })
      expect(hit).toMatchObject({ status: 'hit', value: 1 })
      await hit.pending
      expect(calls).toBe(2)
      expect(await cache.get(key)).toBe(2)
    })

    it('answers hot keys from the L1 until its TTL, and forgets them on delete', async () => {
      const { cache, key } = setup({ l1: { max: 100, ttl: '10 s' } })
      await cache.getOrSet(key, () => 'a')
      expect(await cache.load(key, () => 'b')).toMatchObject({ status: 'hit', value: 'a' })
      expect(cache.metrics().l1Hits).toBe(1)
      await cache.delete(key)
      expect(await cache.getOrSet(key, () => 'b')).toBe('b')
      cache.l1!.invalidate(key)
      expect(cache.l1!.size).toBe(0)
    })

    it('tells onInvalidate what changed', async () => {
      const events: unknown[] = []
      const { cache, key } = setup({ onInvalidate: (e) => events.push(e) })
      await cache.set(key, 1)
      await cache.delete(key)
      await cache.invalidateTags(['x'])
      expect(events).toEqual([{ keys: [key] }, { keys: [key] }, { tags: ['x'] }])
    })

    it('checks its arguments', async () => {
      const { cache } = setup()
      await expect(cache.getOrSet('', () => 1)).rejects.toThrow(TypeError)
      await expect(cache.getOrSet('k', () => 1, { ttl: -1 })).rejects.toThrow(/ttl must be/)
      await expect(cache.invalidateTags([''] as string[])).rejects.toThrow(/non-empty strings/)
    })
  })
}
