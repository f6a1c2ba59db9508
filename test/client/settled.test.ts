import { describe, expect, it } from 'vitest'
import { NOT_SETTLED, settled, settledValue } from '../../src/client/settled.ts'

describe('settled', () => {
  it('gives a promise whose value can be read at once, and awaited as usual', async () => {
    const promise = settled(['OK', 1, null])
    expect(settledValue(promise)).toEqual(['OK', 1, null])
    expect(await promise).toEqual(['OK', 1, null])
    expect(settledValue(settled(null))).toBeNull()
    expect(settledValue(settled(undefined))).toBeUndefined()
  })

  it('reads any other promise as not settled, resolved or not', () => {
    expect(settledValue(Promise.resolve('PONG'))).toBe(NOT_SETTLED)
    expect(settledValue(new Promise(() => {}))).toBe(NOT_SETTLED)
  })

  it('gives the value once, and only for the last promise made', () => {
    const first = settled('a')
    const second = settled('b')
    expect(settledValue(first)).toBe(NOT_SETTLED)
    expect(settledValue(second)).toBe('b')
    expect(settledValue(second)).toBe(NOT_SETTLED)
  })
})
