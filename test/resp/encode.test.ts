import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ReplyError } from '../../src/errors.ts'
import { type Decoded, RespDecoder } from '../../src/resp/decode.ts'
import { commandText, encodeCommand, utf8Length } from '../../src/resp/encode.ts'
import { cutAt } from '../support/cut.ts'

const utf8 = new TextEncoder()
const latin = (bytes: Uint8Array) => String.fromCharCode(...bytes)

const decodeAll = (chunks: Uint8Array[], bytes = false): Decoded[] => {
  const replies: Decoded[] = []
  const decoder = new RespDecoder({ onReply: (r) => replies.push(r), bytes: () => bytes })
  for (const chunk of chunks) decoder.feed(chunk)
  return replies
}

describe('encodeCommand', () => {
  it('encodes strings and numbers as bulk strings', () => {
    expect(latin(encodeCommand(['SET', 'k', 42, 'PX', 1.5]))).toBe(
      '*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n$2\r\nPX\r\n$3\r\n1.5\r\n',
    )
  })

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(commandText(['SET', 'é😀'])).toBe('*2\r\n$3\r\nSET\r\n$6\r\né😀\r\n')
  })

  it('writes bytes untouched', () => {
    const bytes = encodeCommand(['SET', new Uint8Array([0, 255, 13, 10])])
    expect([...bytes]).toEqual([...utf8.encode('*2\r\n$3\r\nSET\r\n$4\r\n'), 0, 255, 13, 10, 13, 10])
  })

  it('returns no text for a command with bytes', () => {
    expect(commandText(['SET', new Uint8Array([1])])).toBeUndefined()
  })

  it('refuses an empty command, a non-finite number and other types with a TypeError', () => {
    expect(() => encodeCommand([])).toThrow(/non-empty array/)
    expect(() => encodeCommand(['INCRBY', 'k', Number.NaN])).toThrow(/finite numbers, received NaN/)
    expect(() => encodeCommand(['SET', 'k', null as never])).toThrow(/received null/)
    expect(() => encodeCommand(['SET', 'k', {} as never])).toThrow(TypeError)
  })

  it('measures UTF-8 length exactly as TextEncoder encodes, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(utf8.encode(text).length)
      }),
      { numRuns: 500 },
    )
    expect(utf8Length('\ud800')).toBe(3)
    expect(utf8Length('a\udc00\ud83d\ude00')).toBe(8)
  })

  const arg = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    // Lone surrogates, and strings past the byte path's ASCII shortcut.
    fc.string({ unit: 'binary', maxLength: 90 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.uint8Array({ maxLength: 40 }),
  )

  it('round-trips any command through the decoder, whole and byte by byte', () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 8 }), (command) => {
        const wire = encodeCommand(command)
        const expected = [command.map((a) => (a instanceof Uint8Array ? a : utf8.encode(String(a))))]
        expect(decodeAll([wire], true)).toEqual(expected)
        const single = [...wire].map((b) => new Uint8Array([b]))
        expect(decodeAll(single, true)).toEqual(expected)
      }),
      { numRuns: 500 },
    )
  })
})

/** Replies as a server would send them, RESP2 or RESP3, and what the decoder must return. */
type Tree = { wire: string; value: Decoded }
const scalar: fc.Arbitrary<Tree> = fc.oneof(
  fc.string({ unit: 'grapheme' }).map((s) => ({ wire: `$${utf8.encode(s).length}\r\n${s}\r\n`, value: s })),
  fc.stringMatching(/^[a-zA-Z0-9 ]{0,12}$/).map((s) => ({ wire: `+${s}\r\n`, value: s })),
  fc.integer().map((n) => ({ wire: `:${n}\r\n`, value: n })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({
    wire: `:${n}\r\n`,
    value: Number.isSafeInteger(Number(n)) ? Number(n) : n.toString(),
  })),
  fc.constantFrom<Tree>(
    { wire: '$-1\r\n', value: null },
    { wire: '_\r\n', value: null },
    { wire: '#t\r\n', value: 1 },
    { wire: ',3.25\r\n', value: '3.25' },
    { wire: '-ERR bad\r\n', value: new ReplyError('ERR bad') },
  ),
)
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 5 }).map((items) => ({
      wire: `*${items.length}\r\n${items.map((i) => i.wire).join('')}`,
      value: items.map((i) => i.value) as Decoded,
    })),
    fc.array(fc.tuple(tie('tree'), tie('tree')), { maxLength: 3 }).map((pairs) => ({
      wire: `%${pairs.length}\r\n${pairs.map(([k, v]) => k.wire + v.wire).join('')}`,
      value: pairs.flatMap(([k, v]) => [k.value, v.value]) as Decoded,
    })),
  ),
}))

describe('RespDecoder round trips', () => {
  it('decodes any reply tree, whole and in random chunks, to the same value', () => {
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (trees, cuts) => {
          const wire = utf8.encode(trees.map((t) => t.wire).join(''))
          const expected = trees.map((t) => t.value)
          expect(decodeAll([wire])).toEqual(expected)
          expect(decodeAll(cutAt(wire, cuts))).toEqual(expected)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
