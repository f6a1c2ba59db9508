/** The in-process L1: bounded by entries, LRU order, per-entry TTL. */
import { describe, expect, it } from 'vitest'
import { createCache } from '../../src/cache/cache.ts'
import { L1 } from '../../src/cache/l1.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'

describe('L1', () => {
  it('stays within max entries under 1,000,000 distinct keys', () => {
    const l1 = new L1(10_000, 60_000)
    let peak = 0
    for (let i = 0; i < 1_000_000; i++) {
      l1.set(`key:${i}`, i, 0, 60_000)
      if (l1.size > peak) peak = l1.size
    }
    expect(peak).toBe(10_000)
    // The survivors are the most recent keys.
    expect(l1.get('key:999999', 1)).toEqual({ value: 999_999 })
    expect(l1.get('key:989999', 1)).toBeUndefined()
  }, 60_000)

  it('evicts the least recently used, not the oldest written', () => {
    const l1 = new L1(2, 1000)
    l1.set('a', 1, 0, 1000)
    l1.set('b', 2, 0, 1000)
    l1.get('a', 1)
    l1.set('c', 3, 0, 1000)
    expect([l1.get('a', 2), l1.get('b', 2), l1.get('c', 2)]).toEqual([{ value: 1 }, undefined, { value: 3 }])
  })

  it('keeps an entry for its TTL, never past the value freshness', () => {
    const l1 = new L1(10, 100)
    l1.set('a', 1, 0, 1000)
    l1.set('b', 2, 0, 50)
    expect(l1.get('a', 99)).toEqual({ value: 1 })
    expect(l1.get('a', 100)).toBeUndefined()
    expect(l1.get('b', 50)).toBeUndefined()
  })

  it('drops the entries of invalidated tags', () => {
    const l1 = new L1(10, 100)
    l1.set('a', 1, 0, 1000, ['x'])
    l1.set('b', 2, 0, 1000, ['y'])
    l1.invalidateTags(['x'])
    expect([l1.get('a', 1), l1.get('b', 1)]).toEqual([undefined, { value: 2 }])
  })

  it('stays bounded when a cache reads 200,000 distinct keys through it', async () => {
    const cache = createCache({ client: createMemoryClient(), l1: { max: 1000, ttl: '1 m' } })
    for (let i = 0; i < 200_000; i++) await cache.getOrSet(`k${i}`, () => i)
    expect(cache.l1!.size).toBe(1000)
  }, 60_000)
})
