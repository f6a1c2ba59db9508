/**
 * The differential property test: random sequences of (time step, identifier, cost) give
 * identical results from the Lua script on real Valkey and from its TypeScript twin on the memory
 * backend — the decisions, every number in them, and the stored state — for every algorithm, and
 * for all four checked together with a block duration. Times are explicit, so both sides see the
 * same clock.
 *
 * Windows are long (thousands of seconds) because keys still expire on the servers' real clocks:
 * with seconds-long windows a key whose TTL is a few ms can expire on one side between two calls
 * of a loaded test run. State values are self-describing, so this changes no decision; it only
 * keeps the two keyspaces comparable key by key.
 *
 * The usual call (server clock, cost 1) sends only the limits' parameters, which explicit times
 * never do: it is compared on the server clock, over windows too long to move during the test.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import {
  type Algorithm,
  createLimiter,
  fixedWindow,
  gcra,
  type LimiterOptions,
  slidingWindow,
  tokenBucket,
} from '../../src/limit/index.ts'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
let tcp: Client
beforeAll(() => {
  tcp = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => tcp.close())

const T0 = 1_764_000_000_000
const IDS = ['a', 'b', 'c*']

const call = fc.record({
  step: fc.oneof(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 4_000_000 }), fc.constant(1)),
  id: fc.constantFrom(...IDS),
  cost: fc.oneof(fc.constant(1), fc.integer({ min: -3, max: 12 })),
  peek: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
})

let run = 0

const compare = (limits: readonly Algorithm[], extra: Partial<LimiterOptions> = {}) =>
  fc.assert(
    fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 60 }), async (calls) => {
      const prefix = `diff${++run}`
      const memory = createMemoryClient()
      const options = { limits, prefix, blockCache: false, ...extra } as const
      const onValkey = createLimiter({ ...options, client: tcp })
      const onMemory = createLimiter({ ...options, client: memory })
      const keys = (id: string) => ['block', ...limits.map((l) => l.key)].map((s) => `{${prefix}:${id}}:${s}`)
      let now = T0
      for (const { step, id, cost, peek } of calls) {
        now += step
        if (peek) {
          expect(await onValkey.getRemaining(id, { now })).toEqual(await onMemory.getRemaining(id, { now }))
          continue
        }
        const { pending: _a, ...fromLua } = await onValkey.limit(id, { now, cost })
        const { pending: _b, ...fromTwin } = await onMemory.limit(id, { now, cost })
        expect(fromTwin).toEqual(fromLua)
        for (const key of keys(id))
          expect(await memory.send(['GET', key])).toEqual(await tcp.send(['GET', key]))
      }
    }),
    { numRuns: 25 },
  )

describe('Lua on Valkey and the TypeScript twin agree', () => {
  it('fixed window', () => compare([fixedWindow(7, '2000 s')]))
  it('sliding window', () => compare([slidingWindow(7, '2000 s')]))
  it('token bucket', () => compare([tokenBucket(3, '1000 s', 7)]))
  it('gcra, with a rate that does not divide the period', () => compare([gcra(3, '1000 s', { burst: 5 })]))
  it('all four together, with a block duration', () =>
    compare(
      [
        fixedWindow(9, '3000 s'),
        slidingWindow(6, '2000 s'),
        tokenBucket(2, '1000 s', 5),
        gcra(7, '2000 s', { burst: 4 }),
      ],
      { blockFor: '1500 s' },
    ))
})

describe('the usual call (server clock, cost 1): only the parameters', () => {
  const ALGORITHMS = [
    fixedWindow(7, '2000 s'),
    slidingWindow(7, '2000 s'),
    tokenBucket(3, '1000 s', 7),
    gcra(7, '7000 s', { burst: 7 }),
  ]

  /** `client`, recording the number of keys and arguments of every script call. */
  const observed = (client: Client, seen: Array<[number, number]>): Client =>
    Object.assign(Object.create(client) as Client, {
      eval: (...args: Parameters<Client['eval']>) => {
        seen.push([args[1].length, args[2].length])
        return client.eval(...args)
      },
    })

  it("sends one key and the limit's two or three parameters, and decides as the twin does", async () => {
    await clearOfWindowEdge(2_000_000)
    for (const limit of ALGORITHMS) {
      const prefix = `short${++run}`
      const seen: Array<[number, number]> = []
      const options = { limits: [limit], prefix, blockCache: false } as const
      const onValkey = createLimiter({ ...options, client: observed(tcp, seen) })
      const onMemory = createLimiter({ ...options, client: createMemoryClient() })
      const decisions = async (limiter: typeof onValkey) => {
        const out: Array<[boolean, number]> = []
        for (let i = 0; i < 9; i++) {
          const { success, remaining } = await limiter.limit('a')
          out.push([success, remaining])
        }
        return out
      }
      const expected = [6, 5, 4, 3, 2, 1, 0]
        .map((r) => [true, r])
        .concat([
          [false, 0],
          [false, 0],
        ])
      expect(await decisions(onValkey)).toEqual(expected)
      expect(await decisions(onMemory)).toEqual(expected)
      const params = limit.code <= 2 ? 2 : 3
      expect(seen).toEqual(Array.from({ length: 9 }, () => [1, params]))
      // Another cost sends the clock, the cost and whether to consume, and reads the same state.
      const fromLua = await onValkey.limit('a', { cost: 0 })
      const fromTwin = await onMemory.limit('a', { cost: 0 })
      expect([fromLua.success, fromLua.remaining]).toEqual([fromTwin.success, fromTwin.remaining])
      expect(seen.at(-1)).toEqual([1, params + 3])
    }
  })

  it('sends the block key first when there is a block duration, and the duration last', async () => {
    const seen: Array<[number, number]> = []
    const limiter = createLimiter({
      client: observed(tcp, seen),
      limits: [slidingWindow(1, '2000 s'), fixedWindow(5, '3000 s')],
      prefix: `short${++run}`,
      blockFor: '10 s',
      blockCache: false,
    })
    await clearOfWindowEdge(3_000_000)
    expect((await limiter.limit('b')).success).toBe(true)
    const denied = await limiter.limit('b')
    expect([denied.success, denied.retryAfter >= 9_000]).toEqual([false, true])
    expect(seen).toEqual([
      [3, 5],
      [3, 5],
    ])
  })
})
