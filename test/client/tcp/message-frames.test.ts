import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageFrames, textMessages } from '../../../src/client/tcp/message-frames.ts'
import { ReplyError } from '../../../src/errors.ts'
import { type Decoded, RespDecoder } from '../../../src/resp/decode.ts'
import { cutAt } from '../../support/cut.ts'

const encoder = new TextEncoder()
const bulk = (text: string | Uint8Array) => {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text
  return [...encoder.encode(`$${bytes.length}\r\n`), ...bytes, 13, 10]
}
const frame = (head: string, items: Array<string | Uint8Array>) => [
  ...encoder.encode(`${head}${items.length}\r\n`),
  ...items.flatMap(bulk),
]

const big = 'b'.repeat(100_000) // longer than what the fast path holds back
const stream = (push: '*' | '>') =>
  new Uint8Array([
    ...encoder.encode(`${push}3\r\n$9\r\nsubscribe\r\n$4\r\nchat\r\n:1\r\n`),
    ...frame(push, ['message', 'chat', 'hello']),
    ...frame(push, ['message', 'chat', '']),
    ...frame(push, ['message', 'chat', 'héllo ✓ \uFEFF']),
    ...frame(push, ['message', 'news', 'x'.repeat(300)]),
    ...frame(push, ['pmessage', 'ch*', 'chat', 'by pattern']),
    ...frame(push, ['smessage', 'shard', 'sharded']),
    ...frame(push, ['smessage', 'chat', 'shard channel of the same name']),
    ...encoder.encode('+PONG\r\n'),
    ...frame(push, ['message', 'chat', big]),
    ...encoder.encode('-NOPERM no\r\n'),
    ...frame(push, ['message', 'chat', 'message']),
    ...frame(push, ['message', 'chat', 'last']),
  ])

const expected = [
  ['frame', 'subscribe', 'chat', 1],
  ['message', 'chat', 'hello', undefined, false],
  ['message', 'chat', '', undefined, false],
  ['message', 'chat', 'héllo ✓ \uFEFF', undefined, false],
  ['message', 'news', 'x'.repeat(300), undefined, false],
  ['message', 'chat', 'by pattern', 'ch*', false],
  ['message', 'shard', 'sharded', undefined, true],
  ['message', 'chat', 'shard channel of the same name', undefined, true],
  ['frame', 'PONG'],
  ['message', 'chat', big, undefined, false],
  ['error', 'NOPERM no'],
  ['message', 'chat', 'message', undefined, false],
  ['message', 'chat', 'last', undefined, false],
]

/** Feeds `bytes` cut at `cuts`, and logs messages and other frames in the order they came. */
const run = (bytes: Uint8Array, cuts: number[], asBytes = false) => {
  const log: unknown[][] = []
  const text = (v: unknown) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v)
  const other = (reply: Decoded) => {
    if (reply instanceof ReplyError) return log.push(['error', reply.message])
    if (!Array.isArray(reply)) return log.push(['frame', reply])
    const [type, a, b, c] = reply.map(text)
    // A message the fast path left to the general decoder still counts as a message.
    if (type === 'message' || type === 'smessage') log.push(['message', a, b, undefined, type === 'smessage'])
    else if (type === 'pmessage') log.push(['message', b, c, a, false])
    else log.push(['frame', ...reply.map(text)])
  }
  const decoder = new RespDecoder({ onReply: other, onPush: other, bytes: () => asBytes })
  const frames = new MessageFrames(
    decoder,
    textMessages((channel, message, pattern, sharded) => {
      if (asBytes) expect(message).toBeInstanceOf(Uint8Array)
      log.push(['message', channel, text(message), pattern, sharded])
    }, asBytes),
  )
  for (const chunk of cutAt(bytes, cuts)) frames.feed(chunk)
  return log
}

describe('MessageFrames', () => {
  for (const push of ['*', '>'] as const) {
    it(`delivers every frame in order whole and cut at every byte (${push === '*' ? 'RESP2' : 'RESP3'})`, () => {
      const bytes = stream(push)
      expect(run(bytes, [])).toEqual(expected)
      // Every single cut position across the frames before the big one, and a few inside it.
      const bigAt = bytes.length - 100_200
      for (let cut = 1; cut < bigAt; cut++) expect(run(bytes, [cut])).toEqual(expected)
      for (const cut of [bigAt + 3, bigAt + 50_000, bytes.length - 30])
        expect(run(bytes, [cut])).toEqual(expected)
    })
  }

  it('delivers the same under any chunking, in bytes mode too', () => {
    const bytes = stream('*')
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
        fc.boolean(),
        (cuts, asBytes) => {
          expect(run(bytes, cuts, asBytes)).toEqual(expected)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('leaves a malformed frame to the general decoder, which rejects it', () => {
    const decoder = new RespDecoder({ onReply: () => {} })
    const frames = new MessageFrames(decoder, () => {})
    expect(() => frames.feed(encoder.encode('*3\r\n$7\r\nmessage\r\n$4\r\nchat\r\n$2\r\nhiXX'))).toThrow(
      /malformed RESP/,
    )
  })
})
