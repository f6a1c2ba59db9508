import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseState } from '../../src/limit/algorithm.ts'

// The reference: the Lua pattern the scripts use, as a regular expression, and tonumber.
const reference = (value: string, count: number): number[] | null => {
  const match = new RegExp(`^${Array(count).fill('(-?\\d+)').join(':')}$`).exec(value)
  return match ? match.slice(1).map(Number) : null
}

describe('parseState', () => {
  it('reads what the scripts store', () => {
    expect(parseState('176400000:3', 2)).toEqual([176400000, 3])
    expect(parseState('176400000:3:-2', 3)).toEqual([176400000, 3, -2])
    expect(parseState(null, 2)).toBeNull()
  })

  it('takes a state the memory backend kept as integers as it is, when it has the right count', () => {
    const kept = [176400000, 3, -2] as const
    expect(parseState(kept, 3)).toBe(kept)
    expect(parseState([176400000, 3], 3)).toBeNull()
    expect(parseState(kept, 2)).toBeNull()
  })

  it('treats anything else as a fresh state, as the Lua pattern does', () => {
    for (const bad of [
      '',
      ':',
      '1:',
      ':1',
      '1:2:3',
      '1',
      'a:1',
      '1:1e3',
      '1.5:2',
      ' 1:2',
      '1:2 ',
      '--1:2',
      '-:2',
    ]) {
      expect(parseState(bad, 2)).toBeNull()
    }
  })

  it('agrees with the Lua pattern on arbitrary input', () => {
    const part = fc.oneof(fc.integer().map(String), fc.bigInt().map(String), fc.string({ maxLength: 4 }))
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), fc.constantFrom(2, 3), (parts, count) => {
        const value = parts.join(':')
        expect(parseState(value, count)).toEqual(reference(value, count))
      }),
      { numRuns: 2000 },
    )
  })
})
