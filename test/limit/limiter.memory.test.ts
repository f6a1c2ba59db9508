/** The limiter suite on the memory backend (the TypeScript twins). */
import { describe, expect, it, vi } from 'vitest'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createLimiter, fixedWindow } from '../../src/limit/index.ts'
import { limiterSuite } from './limiter.suite.ts'

// The backend's own clock, untouched when a test fakes the caller's Date.
const clock = () => Math.floor(performance.timeOrigin + performance.now())

const client = createMemoryClient({ now: clock })

// Connections to the memory backend share its one dataset: hand out the same client, without
// letting one test's close() end it for the others.
limiterSuite('the memory backend', () => ({ ...client, close: async () => {} }))

describe('limiter on a backend that fails', () => {
  it('answers by the policy when the client throws instead of rejecting, and when it is closed', async () => {
    const fail = () => {
      throw new Error('synchronous failure')
    }
    const throwing = { ...client, eval: fail }
    const limiter = createLimiter({ client: throwing, limits: fixedWindow(1, '1 s'), onTimeout: 'deny' })
    expect(await limiter.limit('u')).toMatchObject({ success: false, reason: 'error', retryAfter: 1000 })
    const closed = createMemoryClient()
    await closed.close()
    const open = createLimiter({ client: closed, limits: fixedWindow(1, '1 s') })
    const result = await open.limit('u')
    expect(result).toMatchObject({ success: true, reason: 'error' })
    expect((result.error as Error).name).toBe('TransportError')
  })
})

describe('limiter on the memory client itself', () => {
  it('decides without the promise of eval (answered at once), and still reads and resets through it', async () => {
    const own = createMemoryClient()
    const evals = vi.spyOn(own, 'eval')
    const limiter = createLimiter({ client: own, limits: fixedWindow(2, '1 m'), blockCache: false })
    const decided = [await limiter.limit('u'), await limiter.limit('u'), await limiter.limit('u')]
    expect(decided.map((r) => [r.success, r.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ])
    expect(evals).not.toHaveBeenCalled()
    expect(await limiter.getRemaining('u')).toMatchObject({ limit: 2, remaining: 0 })
    expect(evals).toHaveBeenCalledTimes(1)
    await limiter.reset('u')
    expect((await limiter.limit('u')).success).toBe(true)
  })
})

describe('limiter key cache', () => {
  it('keeps every identifier apart past the cache bound (32,768 identifiers)', async () => {
    const client = createMemoryClient()
    const limiter = createLimiter({ client, limits: fixedWindow(1, '1 m'), blockCache: false })
    const ids = Array.from({ length: 40_000 }, (_, i) => `id-${i}`)
    const first = await Promise.all(ids.map((id) => limiter.limit(id, { now: 1_000 })))
    // The earliest identifiers have left the cache by now: their keys are built again.
    const second = await Promise.all(ids.map((id) => limiter.limit(id, { now: 1_000 })))
    expect(first.filter((r) => r.success)).toHaveLength(40_000)
    expect(second.filter((r) => r.success)).toHaveLength(0)
    expect(await client.send(['DBSIZE'])).toBe(40_000)
    await limiter.reset('id-0')
    expect(await client.send(['DBSIZE'])).toBe(39_999)
    expect(await client.send(['EXISTS', '{floodgate:id-0}:fw:60000', '{floodgate:id-1}:fw:60000'])).toBe(1)
    expect((await limiter.limit('id-0', { now: 1_000 })).success).toBe(true)
  })
})
