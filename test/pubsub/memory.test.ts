import { describe, expect, it } from 'vitest'
import { createMemoryClient, subscribe } from '../../src/index.ts'
import { pubsubSuite } from './suite.ts'

const client = createMemoryClient()
pubsubSuite('memory', { subscriber: () => client, publisher: () => client })

describe('pub/sub on the memory backend', () => {
  it('PUBLISH answers how many subscriptions received the message', async () => {
    const memory = createMemoryClient()
    const a = subscribe(memory, 'news')
    const b = subscribe(memory, [], { patterns: ['n*'] })
    await Promise.all([a.ready, b.ready])
    expect(await memory.send(['PUBLISH', 'news', 'x'])).toBe(2)
    expect(await memory.send(['PUBLISH', 'other', 'x'])).toBe(0)
    await a.close()
    await b.close()
  })

  it('ends a subscription when its memory client closes', async () => {
    const memory = createMemoryClient()
    const sub = subscribe(memory, 'x', { reconnect: { minDelay: 1, maxDelay: 1 } })
    await sub.ready
    const next = sub[Symbol.asyncIterator]().next()
    await memory.close()
    await expect(next).rejects.toThrow(/memory client is closed/)
  })

  it('throws a TypeError naming the fix for a client that cannot subscribe', () => {
    const bare = { ...createMemoryClient(), openSubscriber: undefined }
    expect(() => subscribe(bare, 'x')).toThrow(/cannot subscribe/)
  })
})

describe('a full buffer', () => {
  it("drops the oldest with overflow 'drop-oldest' and reports one gap with the count", async () => {
    const memory = createMemoryClient()
    const gaps: unknown[] = []
    const sub = subscribe(memory, 'burst', { maxBuffered: 3, onGap: (gap) => gaps.push(gap) })
    await sub.ready
    for (let i = 0; i < 5; i++) await memory.send(['PUBLISH', 'burst', `m${i}`])
    expect(gaps).toEqual([{ reason: 'overflow', dropped: 1 }])
    expect(sub.stats).toMatchObject({ received: 5, dropped: 2, buffered: 3 })
    const iterator = sub[Symbol.asyncIterator]()
    const got = [await iterator.next(), await iterator.next(), await iterator.next()]
    expect(got.map((r) => r.value?.message)).toEqual(['m2', 'm3', 'm4'])
    await sub.close()
  })

  it("ends the iteration with SubscriberOverflowError with overflow 'error'", async () => {
    const memory = createMemoryClient()
    const sub = subscribe(memory, 'burst', { maxBuffered: 3, overflow: 'error' })
    await sub.ready
    for (let i = 0; i < 4; i++) await memory.send(['PUBLISH', 'burst', `m${i}`])
    const iterator = sub[Symbol.asyncIterator]()
    await expect(iterator.next()).rejects.toMatchObject({
      name: 'SubscriberOverflowError',
      code: 'ERR_SUBSCRIBER_OVERFLOW',
    })
    // The subscription is gone: nobody receives the next message.
    expect(await memory.send(['PUBLISH', 'burst', 'late'])).toBe(0)
  })
})
