import { describe, expect, it } from 'vitest'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { defineScript } from '../../src/client/script.ts'
import { evalNowOf, NOT_SETTLED, settled, settledValue, settleEvals } from '../../src/client/settled.ts'

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

describe('evalNowOf', () => {
  const echo = defineScript({ name: 'echo', lua: 'return ARGV[1]', twin: (_, __, argv) => argv[0] ?? null })

  it("gives the memory client's eval answered at once, and nothing for any other object", async () => {
    const client = createMemoryClient()
    expect(evalNowOf(client)?.(echo, [], ['hi'])).toBe('hi')
    expect(await client.eval(echo, [], ['hi'])).toBe('hi')
    // A copy or a wrapper is another client: it answers through its own eval.
    expect(evalNowOf({ ...client })).toBeUndefined()
    await client.close()
    expect(() => evalNowOf(client)?.(echo, [], ['hi'])).toThrow(/closed/)
  })

  it('holds what a client registered, for that client only', () => {
    const client = {}
    settleEvals(client, () => 7)
    expect(evalNowOf(client)?.(echo, [], [])).toBe(7)
    expect(evalNowOf({})).toBeUndefined()
  })
})
