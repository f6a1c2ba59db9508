import { describe, expect, it } from 'vitest'
import { BlockCache } from '../../src/limit/block-cache.ts'

const entry = (until: number) => ({ until, reset: until, limit: 1, policy: 'p' })

describe('BlockCache', () => {
  it('answers until the entry expires, then forgets it', () => {
    const cache = new BlockCache(10)
    cache.set('a', entry(100))
    expect(cache.get('a', 99)?.until).toBe(100)
    expect(cache.get('a', 100)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('stays bounded: the least recently blocked identifier goes first', () => {
    const cache = new BlockCache(3)
    for (const id of ['a', 'b', 'c']) cache.set(id, entry(1000))
    cache.set('a', entry(2000)) // 'a' is now the most recent
    cache.set('d', entry(1000))
    expect(cache.size).toBe(3)
    expect(cache.get('b', 0)).toBeUndefined()
    expect(['a', 'c', 'd'].map((id) => cache.get(id, 0)?.until)).toEqual([2000, 1000, 1000])
  })

  it('holds at most max entries when a million identifiers pass through', () => {
    const cache = new BlockCache(1000)
    for (let i = 0; i < 1_000_000; i++) cache.set(`ip-${i}`, entry(1000))
    expect(cache.size).toBe(1000)
  })

  it('rejects a size that is not a positive whole number', () => {
    expect(() => new BlockCache(0)).toThrow(/blockCache.max must be a positive whole number, received 0/)
  })
})
