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

  it('throws a TypeError naming the fix for a client that cannot subscribe', () => {
    const bare = { ...createMemoryClient(), openSubscriber: undefined }
    expect(() => subscribe(bare, 'x')).toThrow(/cannot subscribe/)
  })
})
