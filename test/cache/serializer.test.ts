/** The default serializer: a lossless round trip of the types JSON loses, and clear refusals. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkSize } from '../../src/cache/entry.ts'
import { taggedJson } from '../../src/cache/serializer.ts'
import { CacheError } from '../../src/errors.ts'

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    // Keys include '$t', the serializer's own tag key, and '__proto__'.
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$t', 'v', '__proto__')), tie('value'), {
      maxKeys: 5,
      noNullPrototype: true,
    }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
  ),
}))

describe('taggedJson', () => {
  it('round-trips Date, BigInt, Map, Set, Uint8Array, undefined, NaN, ±Infinity and -0 at any depth', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(taggedJson.deserialize(taggedJson.serialize(v))).toStrictEqual(v)
      }),
      { numRuns: Number(process.env.RUNS ?? 2000) },
    )
  })

  it('keeps the sign of -0, at the top and nested (String(-0) is "0")', () => {
    expect(Object.is(taggedJson.deserialize(taggedJson.serialize(-0)), -0)).toBe(true)
    expect(taggedJson.deserialize(taggedJson.serialize({ $t: -0 }))).toStrictEqual({ $t: -0 })
  })

  it('keeps a user object with a "$t" key as data', () => {
    const input = { $t: 'd', v: 5, nested: { $t: 'o' } }
    expect(taggedJson.deserialize(taggedJson.serialize(input))).toStrictEqual(input)
  })

  it('writes plain data as plain JSON', () => {
    expect(taggedJson.serialize({ a: [1, 'x', null, true] })).toBe('{"a":[1,"x",null,true]}')
  })

  it('refuses functions, symbols, cycles and class instances, naming the path', () => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle.self = cycle
    class Point {
      x = 1
    }
    const cases: [unknown, RegExp][] = [
      [{ a: { f: () => 1 } }, /cannot cache a function at \$\.a\.f/],
      [[1, Symbol('s')], /cannot cache a symbol at \$\[1\]/],
      [cycle, /cannot cache a cycle .* at \$\.self/],
      [{ p: new Point() }, /cannot cache an instance of Point \(no toJSON\) at \$\.p/],
    ]
    for (const [input, message] of cases) {
      let caught: unknown
      try {
        taggedJson.serialize(input)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(CacheError)
      expect((caught as CacheError).code).toBe('ERR_CACHE_VALUE')
      expect((caught as Error).message).toMatch(message)
    }
  })

  it('stores an object with toJSON as what toJSON returns', () => {
    const url = new URL('https://example.com/a')
    expect(taggedJson.deserialize(taggedJson.serialize({ url }))).toEqual({ url: 'https://example.com/a' })
  })

  it('refuses a value past maxBytes with ERR_CACHE_TOO_LARGE, counting UTF-8 bytes', () => {
    expect(() => checkSize('é'.repeat(600), 1000, 'k')).toThrow(/1200 bytes or more, over maxBytes \(1000\)/)
    expect(() => checkSize('e'.repeat(1000), 1000, 'k')).not.toThrow()
    try {
      checkSize('x'.repeat(2000), 1000, 'k')
    } catch (error) {
      expect((error as CacheError).code).toBe('ERR_CACHE_TOO_LARGE')
    }
  })
})
