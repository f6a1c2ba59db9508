import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError, ReplyError } from '../../src/errors.ts'
import { type Decoded, MAX_DEPTH, RespDecoder, utf8Text } from '../../src/resp/decode.ts'
import { fixtures, wireBytes } from './fixtures.ts'

const collect = (chunks: Iterable<Uint8Array>, bytes = false) => {
  const replies: Decoded[] = []
  const pushes: Decoded[][] = []
  const decoder = new RespDecoder({
    onReply: (reply) => replies.push(reply),
    onPush: (frame) => pushes.push(frame),
    bytes: () => bytes,
  })
  for (const chunk of chunks) decoder.feed(chunk)
  return { replies, pushes, busy: decoder.busy }
}

function* byteByByte(bytes: Uint8Array) {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1)
}

/** Compares ReplyErrors by message and code, everything else structurally. */
const plain = (value: unknown): unknown =>
  value instanceof ReplyError
    ? { error: value.message, code: value.code }
    : Array.isArray(value)
      ? value.map(plain)
      : value

describe('RespDecoder fixtures', () => {
  for (const fixture of fixtures) {
    const bytes = wireBytes(fixture.wire)
    const expected = {
      replies: plain(fixture.replies ?? []),
      pushes: plain(fixture.pushes ?? []),
      busy: false,
    }
    it(`${fixture.name}: one chunk`, () => {
      const got = collect([bytes], fixture.bytes)
      expect({ ...got, replies: plain(got.replies), pushes: plain(got.pushes) }).toEqual(expected)
    })
    it(`${fixture.name}: byte by byte`, () => {
      const got = collect(byteByByte(bytes), fixture.bytes)
      expect({ ...got, replies: plain(got.replies), pushes: plain(got.pushes) }).toEqual(expected)
    })
  }

  it('gives ReplyError the server code', () => {
    const { replies } = collect([wireBytes('-NOSCRIPT No matching script.\r\n')])
    expect(replies[0]).toBeInstanceOf(ReplyError)
    expect((replies[0] as ReplyError).code).toBe('NOSCRIPT')
  })

  it('asks for the bytes mode before each top-level reply', () => {
    const modes = [true, false]
    const replies: Decoded[] = []
    const decoder = new RespDecoder({ onReply: (r) => replies.push(r), bytes: () => modes.shift() ?? false })
    decoder.feed(wireBytes('*1\r\n$1\r\na\r\n$1\r\nb\r\n'))
    expect(replies).toEqual([[new Uint8Array([97])], 'b'])
  })

  it('waits for the rest of a truncated reply', () => {
    const replies: Decoded[] = []
    const decoder = new RespDecoder({ onReply: (r) => replies.push(r) })
    decoder.feed(wireBytes('*2\r\n$5\r\nhel'))
    expect(replies).toEqual([])
    expect(decoder.busy).toBe(true)
    decoder.feed(wireBytes('lo\r\n:1'))
    expect(replies).toEqual([])
    decoder.feed(wireBytes('\r\n'))
    expect(replies).toEqual([['hello', 1]])
    expect(decoder.busy).toBe(false)
  })

  it('decodes a 1 MB simple-string line fed in 64-byte chunks in time linear in its length', () => {
    // Each chunk used to rescan (and re-join) every byte held so far: 4-6 s of CPU for this line.
    const size = 1_000_000
    const wire = wireBytes(`+${'a'.repeat(size)}\r\n:7\r\n`)
    const chunks = []
    for (let i = 0; i < wire.length; i += 64) chunks.push(wire.subarray(i, i + 64))
    const started = performance.now()
    const { replies, busy } = collect(chunks)
    const took = performance.now() - started
    expect(replies).toHaveLength(2)
    expect((replies[0] as string).length).toBe(size)
    expect(replies[1]).toBe(7)
    expect(busy).toBe(false)
    // The bound ("well under a second"); it takes a few milliseconds.
    expect(took).toBeLessThan(1000)
  })

  it('ends a line whose CR closes one chunk and whose LF opens the next', () => {
    const { replies } = collect([wireBytes('+O'), wireBytes('K\r'), wireBytes('\n+'), wireBytes('x\r\n')])
    expect(replies).toEqual(['OK', 'x'])
  })

  it('joins a 10 MB blob arriving in 64 KB chunks', () => {
    const size = 10 * 1024 * 1024
    const wire = new Uint8Array(size + 20)
    const head = wireBytes(`$${size}\r\n`)
    wire.set(head)
    for (let i = 0; i < size; i++) wire[head.length + i] = i & 0xff
    wire.set([13, 10], head.length + size)
    const total = head.length + size + 2
    const chunks = []
    for (let i = 0; i < total; i += 65536) chunks.push(wire.subarray(i, Math.min(total, i + 65536)))
    const { replies } = collect(chunks, true)
    expect(replies).toHaveLength(1)
    const blob = replies[0] as Uint8Array
    expect(blob.length).toBe(size)
    expect(blob[size - 1]).toBe((size - 1) & 0xff)
  })
})

describe('RespDecoder on malformed input', () => {
  const rejects = (wire: string, message: RegExp) => () =>
    expect(() => collect([wireBytes(wire)])).toThrow(
      expect.objectContaining({ name: 'ProtocolError', message: expect.stringMatching(message) }),
    )

  it('rejects an unknown type byte', rejects('?x\r\n', /unknown type byte 0x3f/))
  it('rejects CR without LF', rejects('+OK\rX', /CR not followed by LF/))
  it('rejects an integer with a letter', rejects(':12a\r\n', /non-digit/))
  it('rejects a negative blob length other than -1', rejects('$-2\r\n', /out of range/))
  it('rejects a blob not ending in CRLF', rejects('$2\r\nabcd\r\n', /not followed by CRLF/))
  it('rejects a blob longer than 512 MB', rejects('$536870913\r\n', /out of range/))
  it('rejects an absurd aggregate length', rejects('*99999999999999\r\n', /out of range/))
  it('rejects an integer longer than 64 bits', rejects(`:${'9'.repeat(20)}\r\n`, /longer than 64 bits/))
  it('rejects a malformed boolean', rejects('#x\r\n', /boolean/))
  it('rejects a malformed double', rejects(',1.2.3\r\n', /double/))
  it('rejects a verbatim string without a format', rejects('=2\r\nab\r\n', /verbatim/))
  it('rejects nesting deeper than the limit', rejects('*1\r\n'.repeat(MAX_DEPTH + 1), /nested deeper/))
  it('rejects a line that never ends', () => {
    const decoder = new RespDecoder({ onReply: () => {} })
    decoder.feed(wireBytes('+'))
    const chunk = new Uint8Array(64 * 1024).fill(97)
    expect(() => {
      for (let i = 0; i < 20; i++) decoder.feed(chunk)
    }).toThrow(ProtocolError)
  })
})

const token = fc.oneof(
  fc.constantFrom('*', '$', '%', '~', '>', '|', '+', '-', ':', ',', '(', '#', '_', '=', '!', '?'),
  fc.constantFrom(
    '\r\n',
    '\r',
    '\n',
    '0',
    '1',
    '2',
    '3',
    '-1',
    '-2',
    't',
    'f',
    'txt:',
    'inf',
    '1.5',
    '99999999999999999999',
  ),
  fc.string({ maxLength: 4 }),
)
const garbage = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc.array(token, { maxLength: 16 }).map((tokens) => wireBytes(tokens.join(''))),
)

describe('RespDecoder on random garbage', () => {
  it('throws nothing but ProtocolError on 100k random inputs, fed whole and split', () => {
    fc.assert(
      fc.property(garbage, fc.nat(24), (bytes, cut) => {
        for (const chunks of [[bytes], [bytes.subarray(0, cut), bytes.subarray(cut)]]) {
          try {
            collect(chunks)
          } catch (error) {
            if (!(error instanceof ProtocolError)) throw error
          }
        }
      }),
      { numRuns: 100_000 },
    )
  })
})

describe('utf8Text', () => {
  const reference = new TextDecoder('utf-8', { ignoreBOM: true })
  // Bytes biased towards what trips decoders: continuation bytes, lead bytes, 0xEF (the BOM's).
  const tricky = fc
    .uint8Array({ maxLength: 40 })
    .map((bytes) =>
      bytes.map((b) =>
        b % 4 === 0 ? 0x80 + (b % 64) : b % 4 === 1 ? 0xc0 + (b % 64) : b % 4 === 2 ? 0xef : b,
      ),
    )

  it('reads a Node Buffer (utf8Slice) and a plain Uint8Array exactly as TextDecoder with ignoreBOM does', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 40 }), tricky),
        fc.nat(40),
        fc.nat(40),
        (bytes, a, b) => {
          const from = Math.min(a, b, bytes.length)
          const to = Math.min(Math.max(a, b), bytes.length)
          const expected = reference.decode(bytes.subarray(from, to))
          expect(utf8Text(Buffer.from(bytes), from, to)).toBe(expected)
          expect(utf8Text(bytes, from, to)).toBe(expected)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('keeps a leading byte-order mark and replaces invalid bytes with U+FFFD', () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69, 0xff, 0xe2, 0x82])
    expect(utf8Text(bytes, 0, bytes.length)).toBe('\uFEFFhi\uFFFD\uFFFD')
    expect(utf8Text(new Uint8Array(bytes), 0, bytes.length)).toBe('\uFEFFhi\uFFFD\uFFFD')
  })
})
