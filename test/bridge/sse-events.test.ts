/**
 * The SSE bytes of message frames, built from the RESP bytes (SseBatch.message), against the
 * text path the bridge used for every frame before (decode each value, sseEvent, encode): the
 * same bytes for valid UTF-8, and for invalid UTF-8 the same text for a UTF-8 decoder, whole or
 * fed in pieces.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SseBatch, sseEvent } from '../../src/bridge/sse-events.ts'
import { MessageFrames } from '../../src/client/tcp/message-frames.ts'
import type { Reply } from '../../src/client/types.ts'
import { RespDecoder } from '../../src/resp/decode.ts'

const encoder = new TextEncoder()
const CRLF = new Uint8Array([13, 10])
const join = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  join(parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : new Uint8Array(p))))
const bulk = (value: Uint8Array) => join([encoder.encode(`$${value.length}\r\n`), value, CRLF])
const frame = (items: Uint8Array[]) => join([encoder.encode(`*${items.length}\r\n`), ...items.map(bulk)])

const MB = 1024 * 1024
/** Payloads: plain, empty, multi-byte, BOM, line breaks of every kind, invalid UTF-8 of every kind, 1 MB. */
const payloads: Array<[string, Uint8Array]> = [
  ['plain', bytes('hello')],
  ['empty', bytes('')],
  ['commas', bytes('a,b,,c,')],
  ['multi-byte', bytes('héllo ✓ 😀 日本')],
  ['BOM first', bytes('\uFEFFbom first')],
  ['BOM only', bytes([0xef, 0xbb, 0xbf])],
  ['CRLF', bytes('a\r\nb')],
  ['lone CR', bytes('a\rb')],
  ['LF', bytes('a\nb')],
  ['line breaks only', bytes('\r\n\n\r')],
  ['trailing CR', bytes('end\r')],
  ['an event inside', bytes('x\n\ndata: message,fake,1\n\nevent: error')],
  ['0xFF', bytes([0xff])],
  ['lone continuation', bytes([0x80, 0x80])],
  ['truncated 2-byte at end', bytes('a', [0xc3])],
  ['truncated 3-byte at start', bytes([0xe2, 0x82], 'x')],
  ['truncated 4-byte then valid', bytes([0xf0, 0x9f, 0x98], '€')],
  ['encoded surrogate', bytes([0xed, 0xa0, 0x80])],
  ['overlong', bytes([0xc0, 0xaf, 0xe0, 0x80, 0xaf])],
  ['above U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80])],
  ['invalid then CRLF', bytes([0xff], '\r\n', [0xc3])],
  ['1 MB', bytes('z'.repeat(MB))],
  ['1 MB of multi-byte, invalid at the end', bytes('é'.repeat(MB / 2), [0xe2])],
]
const channels: Array<[string, Uint8Array]> = [
  ['chat', bytes('chat')],
  ['a channel with a comma', bytes('a,b')],
  ['a multi-byte channel', bytes('ch✓')],
  ['a long channel', bytes(`c${'h'.repeat(40)}`)],
  ['a channel with a LF', bytes('x\ny')],
  ['a channel with invalid UTF-8', bytes('x', [0xff])],
]
const frames = (payload: Uint8Array, channel: Uint8Array): Uint8Array[] => [
  frame([bytes('message'), channel, payload]),
  frame([bytes('pmessage'), bytes('a,*'), channel, payload]),
  frame([bytes('pmessage'), channel, channel, payload]),
  frame([bytes('smessage'), channel, payload]),
]
/** The subscribe confirmation, read on its own before any message (as it is in the bridge). */
const CONFIRM = bytes('*3\r\n$9\r\nsubscribe\r\n$4\r\nchat\r\n:1\r\n')
const stream = (framesBytes: Uint8Array[]) => join(framesBytes)

/** The text path, as the bridge took it for every frame: RESP decoded to strings, sseEvent, encoded. */
const textPath = (resp: Uint8Array): Uint8Array => {
  let text = ''
  const decoder = new RespDecoder({
    onReply: (reply) => {
      text += sseEvent(reply as Reply[])
    },
  })
  decoder.feed(join([CONFIRM, resp]))
  return encoder.encode(text)
}

/** The bytes path, wired as the bridge's subscriber wires it, fed in the given pieces. */
const bytesPath = (resp: Uint8Array, cuts: number[], asBuffer: boolean): Uint8Array => {
  const batch = new SseBatch()
  const out: Uint8Array[] = []
  const decoder = new RespDecoder({ onReply: (reply) => batch.text(sseEvent(reply as Reply[])) })
  const reader = new MessageFrames(decoder, (m) => batch.message(m))
  reader.feed(CONFIRM)
  out.push(batch.take())
  let from = 0
  for (const cut of [...cuts, resp.length]) {
    // The bridge reads Node Buffers (a view of pooled memory): the copy must use the right offsets.
    const piece = asBuffer
      ? Buffer.concat([Buffer.from('pad'), resp.subarray(from, cut)]).subarray(3)
      : resp.slice(from, cut)
    reader.feed(piece)
    out.push(batch.take())
    from = cut
  }
  return join(out)
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1')
const isUtf8 = (b: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b)
    return true
  } catch {
    return false
  }
}
/** What a streaming UTF-8 decoder makes of `b` fed in the given pieces. */
const decodeIn = (b: Uint8Array, cuts: number[]): string => {
  const decoder = new TextDecoder()
  let text = ''
  let from = 0
  for (const cut of cuts) {
    text += decoder.decode(b.subarray(from, cut), { stream: true })
    from = cut
  }
  return text + decoder.decode(b.subarray(from))
}

describe('SseBatch', () => {
  for (const [name, payload] of payloads) {
    for (const [channelName, channel] of channels) {
      it(`gives what the text path gave: ${name} payload, ${channelName}`, () => {
        const resp = stream(frames(payload, channel))
        const old = textPath(resp)
        for (const asBuffer of [false, true]) {
          const got = bytesPath(resp, [], asBuffer)
          if (isUtf8(payload) && isUtf8(channel)) expect(Buffer.from(got).equals(Buffer.from(old))).toBe(true)
          // Invalid UTF-8 passes through as it is: a decoder sees the same text as before.
          else expect(new TextDecoder().decode(got)).toBe(new TextDecoder().decode(old))
          // Without a line break the frames took the bytes path: invalid UTF-8 left as it was.
          if (!isUtf8(payload) && !/[\r\n]/.test(latin1(payload) + latin1(channel)))
            expect(Buffer.from(got).equals(Buffer.from(old))).toBe(false)
        }
      })
    }
  }

  it('gives the same bytes however the RESP stream is cut, at every byte of the small frames', () => {
    const small = payloads.filter(([, p]) => p.length < 1000)
    const valid = stream(small.filter(([, p]) => isUtf8(p)).flatMap(([, p]) => frames(p, bytes('a,b'))))
    const old = Buffer.from(textPath(valid))
    for (let cut = 1; cut < valid.length; cut++)
      expect(Buffer.from(bytesPath(valid, [cut], cut % 2 === 0)).equals(old)).toBe(true)
    // With invalid UTF-8 too, a client decodes the text the text path gave.
    const all = stream(small.flatMap(([, p]) => frames(p, bytes('a,b'))))
    const text = new TextDecoder().decode(textPath(all))
    for (let cut = 1; cut < all.length; cut++)
      expect(new TextDecoder().decode(bytesPath(all, [cut], cut % 2 === 0))).toBe(text)
  })

  it('gives the same bytes for 1 MB payloads cut into 64 KiB reads (beyond what the fast path holds)', () => {
    const big = payloads.filter(([, p]) => p.length >= MB)
    const resp = stream(big.flatMap(([, p]) => frames(p, bytes('chat'))))
    const cuts = Array.from({ length: Math.floor(resp.length / 65536) }, (_, i) => (i + 1) * 65536)
    const got = bytesPath(resp, cuts, true)
    expect(new TextDecoder().decode(got)).toBe(new TextDecoder().decode(textPath(resp)))
    expect(got.length).toBeGreaterThan(8 * MB)
  })

  it('gives a client decoding the stream in any pieces the text it got before, invalid UTF-8 included', () => {
    const resp = stream(
      payloads.filter(([, p]) => p.length < 1000).flatMap(([, p]) => frames(p, bytes('ch✓'))),
    )
    const got = bytesPath(resp, [], false)
    const before = new TextDecoder().decode(textPath(resp))
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: got.length - 1 }), { maxLength: 60 }), (cuts) => {
        expect(
          decodeIn(
            got,
            cuts.sort((a, b) => a - b),
          ),
        ).toBe(before)
      }),
      { numRuns: 300 },
    )
  })

  it('passes invalid UTF-8 through as it is, where the text path sent U+FFFD', () => {
    const resp = stream([frame([bytes('message'), bytes('chat'), bytes('a', [0xff, 0xc3])])])
    // Fed whole after the confirmation, the frame takes the bytes path.
    expect([...bytesPath(resp, [], true)]).toEqual([
      ...bytes('data: subscribe,chat,1\n\ndata: message,chat,a', [0xff, 0xc3], '\n\n'),
    ])
    expect(new TextDecoder().decode(textPath(resp))).toBe(
      'data: subscribe,chat,1\n\ndata: message,chat,a\uFFFD\uFFFD\n\n',
    )
  })

  it('appends text events in order and hands out each batch once', () => {
    const batch = new SseBatch()
    expect(batch.empty).toBe(true)
    batch.text('data: subscribe,chat,1\n\n')
    batch.text(': keep-alive ✓\n\n')
    expect(batch.empty).toBe(false)
    expect(new TextDecoder().decode(batch.take())).toBe('data: subscribe,chat,1\n\n: keep-alive ✓\n\n')
    expect(batch.empty).toBe(true)
    expect(batch.take().length).toBe(0)
  })
})
