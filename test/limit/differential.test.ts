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
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/socket.ts'
import { createMemoryClient } from '../../src/client/memory.ts'
import { createTcpClient } from '../../src/client/tcp.ts'
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
