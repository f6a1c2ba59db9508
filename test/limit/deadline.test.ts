import { describe, expect, it } from 'vitest'
import { TimeoutError } from '../../src/errors.ts'
import { timeoutGuard } from '../../src/limit/deadline.ts'

const never = new Promise<never>(() => {})

describe('timeoutGuard', () => {
  it('passes through what settles in time, and times out what does not, with one timer', async () => {
    const guard = timeoutGuard(50)
    const started = Date.now()
    const settled = await Promise.allSettled([
      guard(Promise.resolve('fast')),
      guard(never),
      guard(Promise.reject(new Error('boom'))),
      guard(new Promise((resolve) => setTimeout(() => resolve('slow but in time'), 10))),
      guard(never),
    ])
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).name))).toEqual([
      'fast',
      'TimeoutError',
      'Error',
      'slow but in time',
      'TimeoutError',
    ])
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('times out calls started later at their own deadline', async () => {
    const guard = timeoutGuard(40)
    const first = guard(never).catch(() => Date.now())
    await new Promise((resolve) => setTimeout(resolve, 30))
    const secondStarted = Date.now()
    const second = guard(never).catch(() => Date.now())
    await first
    expect((await second) - secondStarted).toBeGreaterThanOrEqual(35)
  })

  it('keeps working across thousands of settled calls', async () => {
    const guard = timeoutGuard(1000)
    for (let i = 0; i < 5000; i++) expect(await guard(Promise.resolve(i))).toBe(i)
    await expect(timeoutGuard(20)(never)).rejects.toThrow(/did not answer within 20 ms/)
  })
})
