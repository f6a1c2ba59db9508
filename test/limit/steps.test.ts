/**
 * The algorithms' TypeScript steps as pure functions, with explicit times: the arithmetic each
 * rule rests on, without a backend. The same steps run over Valkey (as Lua) and the memory
 * backend in limiter.suite.ts; differential.test.ts holds the two languages to the same answers.
 */
import { describe, expect, it } from 'vitest'
import type { Algorithm, Step } from '../../src/limit/algorithm.ts'
import { fixedWindow, fixedWindowStep } from '../../src/limit/fixed-window.ts'
import { gcra, gcraStep } from '../../src/limit/gcra.ts'
import { slidingWindow, slidingWindowStep } from '../../src/limit/sliding-window.ts'
import { tokenBucket, tokenBucketStep } from '../../src/limit/token-bucket.ts'

const T0 = 1_764_000_000_000 // a multiple of 10 s

/** Runs calls against one state kept as text, committing each admitted one, as the limit script does. */
const run = (step: Step, algorithm: Algorithm) => {
  let value: string | null = null
  const [a, b, c] = algorithm.params
  return (now: number, cost = 1) => {
    const out = step(value, now, cost, a, b, c)
    if (out.ok && cost !== 0) value = out.ttl > 0 ? out.value.join(':') : null
    return { ...out, stored: value }
  }
}

describe('fixedWindowStep', () => {
  it('admits 3 of 5 calls and stores 3, not 5 (a rejected call consumes nothing)', () => {
    const call = run(fixedWindowStep, fixedWindow(3, '10 s'))
    const outs = [1, 2, 3, 4, 5].map(() => call(T0 + 2000))
    expect(outs.map((o) => o.ok)).toEqual([true, true, true, false, false])
    expect(outs.map((o) => o.remaining)).toEqual([2, 1, 0, 0, 0])
    expect(outs.map((o) => o.reset)).toEqual(Array(5).fill(T0 + 10_000))
    expect(outs[4]!.stored).toBe(`${T0 / 10_000}:3`)
    expect(outs[4]!.retry).toBe(8000)
  })

  it('expires the key at the end of its window', () => {
    const out = run(fixedWindowStep, fixedWindow(3, '10 s'))(T0 + 2500)
    expect(out.ttl).toBe(7500)
  })

  it('starts afresh in the next window', () => {
    const call = run(fixedWindowStep, fixedWindow(1, '10 s'))
    expect(call(T0).ok).toBe(true)
    expect(call(T0 + 9999).ok).toBe(false)
    expect(call(T0 + 10_000)).toMatchObject({ ok: true, remaining: 0, reset: T0 + 20_000 })
  })
})

describe('slidingWindowStep', () => {
  it('weights the previous window exactly: 10 before, then 5 at 25 % in admits 2 (Upstash floors and admits 3)', () => {
    const call = run(slidingWindowStep, slidingWindow(10, '10 s'))
    for (let i = 0; i < 10; i++) expect(call(T0 - 5000).ok).toBe(true)
    const outs = [1, 2, 3, 4, 5].map(() => call(T0 + 2500))
    expect(outs.map((o) => o.ok)).toEqual([true, true, false, false, false])
    expect(outs.map((o) => o.remaining)).toEqual([1, 0, 0, 0, 0])
  })

  it('never lets N+1 through at a window boundary', () => {
    const call = run(slidingWindowStep, slidingWindow(10, '10 s'))
    for (let i = 0; i < 10; i++) expect(call(T0 - 1).ok).toBe(true)
    expect(call(T0 + 1).ok).toBe(false)
  })

  it('says exactly when a denied call fits again', () => {
    const call = run(slidingWindowStep, slidingWindow(10, '10 s'))
    for (let i = 0; i < 10; i++) call(T0 - 5000)
    const denied = call(T0 + 500)
    // 10 × (10000 − e) + 1 × 10000 <= 10 × 10000 holds from e = 1000 on: 500 ms later.
    expect(denied).toMatchObject({ ok: false, retry: 500 })
    expect(call(T0 + 999).ok).toBe(false)
    expect(call(T0 + 1000).ok).toBe(true)
  })

  it('does not store the cost of a weighted call that does not fit', () => {
    const call = run(slidingWindowStep, slidingWindow(10, '10 s'))
    expect(call(T0 + 1000, 8).ok).toBe(true)
    const rejected = call(T0 + 1000, 5)
    expect(rejected).toMatchObject({ ok: false, remaining: 2, stored: `${T0 / 10_000}:8:0` })
    expect(call(T0 + 1000, 2)).toMatchObject({ ok: true, remaining: 0 })
  })
})

describe('tokenBucketStep', () => {
  it('refills continuously: one token 2 s after emptying a 5-per-10-s bucket, five after 10 s', () => {
    const call = run(tokenBucketStep, tokenBucket(5, '10 s', 10))
    const outs = Array.from({ length: 11 }, () => call(T0))
    expect(outs.map((o) => o.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0])
    expect(outs[10]).toMatchObject({ ok: false, retry: 2000 })
    expect(call(T0 + 1999).ok).toBe(false)
    expect(call(T0 + 2000)).toMatchObject({ ok: true, remaining: 0 })
    expect(call(T0 + 12_000, 0).remaining).toBe(5)
  })

  it('denies a cost of 5 with 2 tokens left and keeps the 2', () => {
    const call = run(tokenBucketStep, tokenBucket(5, '10 s', 10))
    expect(call(T0, 8).remaining).toBe(2)
    expect(call(T0, 5)).toMatchObject({ ok: false, remaining: 2, retry: 6000 })
    expect(call(T0, 2)).toMatchObject({ ok: true, remaining: 0 })
  })

  it('expires the key when the bucket would be full again', () => {
    const out = run(tokenBucketStep, tokenBucket(5, '10 s', 10))(T0, 3)
    expect(out.ttl).toBe(6000)
    expect(out.reset).toBe(T0 + 6000)
  })
})

describe('gcraStep', () => {
  it('admits a burst, then one call per emission interval', () => {
    const call = run(gcraStep, gcra(3, '1 s', { burst: 2 }))
    expect(call(T0)).toMatchObject({ ok: true, remaining: 1 })
    expect(call(T0)).toMatchObject({ ok: true, remaining: 0 })
    const denied = call(T0)
    // the next cell is due one emission interval (1000/3 ms) later, rounded up to whole ms
    expect(denied).toMatchObject({ ok: false, retry: 334 })
    expect(call(T0 + 333).ok).toBe(false)
    expect(call(T0 + 334).ok).toBe(true)
  })

  it('keeps fractional emission intervals exact over many calls', () => {
    const call = run(gcraStep, gcra(3, '1 s', { burst: 1 }))
    let admitted = 0
    for (let t = 0; t < 60_000; t++) if (call(T0 + t).ok) admitted++
    expect(admitted).toBe(180)
  })
})
