/**
 * The SSE event reader of the HTTP subscriber: the exact messages out of a stream cut into chunks
 * anywhere (inside a multi-byte character, between CR and LF), for one-line and multi-line
 * payloads, CRLF line ends, comments, the confirmation, pmessage and the bridge's final error.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_EVENT_CHARS, SseEvents } from '../../../src/client/http/sse-events.ts'
import { openSseSubscriber } from '../../../src/client/http/subscriber.ts'
import { TransportError } from '../../../src/errors.ts'
import { cutAt } from '../../support/cut.ts'

type Got = [channel: string, message: string, pattern?: string]

const encoder = new TextEncoder()

/** Reads `chunks` with a fresh reader: what it delivered, how many confirmations, its last word. */
const read = (kind: 'subscribe' | 'psubscribe', name: string, chunks: Uint8Array[]) => {
  const got: Got[] = []
  let confirmed = 0
  const events = new SseEvents(
    kind,
    name,
    {
      onMessage: (channel, message, pattern) =>
        got.push(
          pattern === undefined ? [channel, message as string] : [channel, message as string, pattern],
        ),
    },
    () => confirmed++,
  )
  for (const chunk of chunks) events.feed(chunk)
  return { got, confirmed, ended: events.ended }
}

/** An event as the bridge writes it: a payload spanning lines as several `data:` lines. */
const event = (text: string, eol = '\n') => `data: ${text.replace(/\n/g, `${eol}data: `)}${eol}${eol}`

describe('SseEvents', () => {
  it('reads one-line and multi-line events, comments and the confirmation, split at every byte', () => {
    const stream = encoder.encode(
      [
        event('subscribe,chat,1'),
        ': keep-alive\n\n',
        event('message,chat,héllo ✓ 𝄞'),
        event('message,chat,two\nlines'),
        event('message,chat,'),
        'id: 7\nevent: message\n',
        event('message,chat,a,b,c'),
        event('message,chat,\n'),
      ].join(''),
    )
    const want: Got[] = [
      ['chat', 'héllo ✓ 𝄞'],
      ['chat', 'two\nlines'],
      ['chat', ''],
      ['chat', 'a,b,c'],
      ['chat', '\n'],
    ]
    expect(read('subscribe', 'chat', [stream])).toEqual({ got: want, confirmed: 1, ended: undefined })
    for (let at = 0; at <= stream.length; at++) {
      expect(read('subscribe', 'chat', cutAt(stream, [at])).got).toEqual(want)
    }
    expect(read('subscribe', 'chat', cutAt(stream, [...stream.keys()])).got).toEqual(want)
  })

  it('reads CRLF line ends, cut between CR and LF', () => {
    const text = [
      event('subscribe,c,1', '\r\n'),
      event('message,c,x\ny', '\r\n'),
      event('message,c,z', '\r\n'),
      // Line ends may be mixed within an event.
      'data: message,c,m\r\n\n',
    ]
    const stream = encoder.encode(text.join(''))
    for (let at = 0; at <= stream.length; at++) {
      expect(read('subscribe', 'c', cutAt(stream, [at]))).toEqual({
        got: [
          ['c', 'x\ny'],
          ['c', 'z'],
          ['c', 'm'],
        ],
        confirmed: 1,
        ended: undefined,
      })
    }
  })

  it('reads pmessage with the channel, and keeps the final error event', () => {
    const stream = encoder.encode(
      event('psubscribe,news:*,1') +
        event('pmessage,news:*,news:1,first') +
        event('pmessage,news:*,news:2,second,with,commas') +
        'event: error\ndata: error,news:*,ERR the reader fell behind\n\n',
    )
    for (let at = 0; at <= stream.length; at++) {
      expect(read('psubscribe', 'news:*', cutAt(stream, [at]))).toEqual({
        got: [
          ['news:1', 'first', 'news:*'],
          ['news:2', 'second,with,commas', 'news:*'],
        ],
        confirmed: 1,
        ended: 'ERR the reader fell behind',
      })
    }
  })

  it('reads a 1 MB payload spread over 64 KiB chunks (cut inside characters), and the events around it', () => {
    const big = `${'é'.repeat(300_000)}\n${'z'.repeat(400_000)}`
    const stream = encoder.encode(event('message,c,a') + event(`message,c,${big}`) + event('message,c,b'))
    const chunks = cutAt(
      stream,
      Array.from({ length: Math.ceil(stream.length / 65536) }, (_, i) => (i + 1) * 65536),
    )
    const { got } = read('subscribe', 'c', chunks)
    expect(got.map(([, message]) => message.length)).toEqual([1, big.length, 1])
    expect(got[1]![1]).toBe(big)
  })

  it('delivers exactly the published payloads however the stream is cut (property)', () => {
    // Payloads of any text but CR (the bridge turns a CR into a line break).
    const payload = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\r/g, ''))
    const item = fc.oneof(
      { weight: 6, arbitrary: payload.map((p) => ({ payload: p })) },
      { weight: 1, arbitrary: fc.constant({ comment: ': keep-alive\n\n' }) },
    )
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (items, crlf, at) => {
          const eol = crlf ? '\r\n' : '\n'
          const text =
            event('subscribe,ch,1', eol) +
            items.map((i) => ('payload' in i ? event(`message,ch,${i.payload}`, eol) : i.comment)).join('')
          const stream = encoder.encode(text)
          const want = items.flatMap((i) => ('payload' in i ? [['ch', i.payload]] : []))
          expect(read('subscribe', 'ch', cutAt(stream, at))).toEqual({
            got: want,
            confirmed: 1,
            ended: undefined,
          })
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('the SSE subscriber over a streamed body', () => {
  it('delivers the events of every chunk and ends with the error event the bridge sent last', async () => {
    const text =
      event('subscribe,room,1') +
      event('message,room,one') +
      event('message,room,tw') +
      'event: error\ndata: error,room,ERR the subscriber fell behind\n\n'
    const bytes = encoder.encode(text)
    const got: string[] = []
    let onClose!: (error: unknown) => void
    const closed = new Promise<unknown>((resolve) => {
      onClose = resolve
    })
    const sub = await openSseSubscriber(
      {
        url: 'http://bridge.test',
        token: 'token-0123456789',
        streamFetch: async () => ({
          ok: true,
          status: 200,
          text: async () => '',
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              for (const chunk of cutAt(bytes, [5, 30, 31, 60])) controller.enqueue(chunk)
              controller.close()
            },
          }),
        }),
      },
      { onMessage: (_channel, message) => got.push(message as string), onClose },
    )
    await sub.subscribe('subscribe', ['room'])
    const error = await closed
    expect(got).toEqual(['one', 'tw'])
    expect(error).toMatchObject({
      name: 'TransportError',
      message: "the subscribe stream for 'room' ended: ERR the subscriber fell behind",
    })
  })
})

describe('SseEvents bounds what it holds', () => {
  const feedUntilThrow = (make: (i: number) => string) => {
    const events = new SseEvents('subscribe', 'chat', { onMessage: () => {} }, () => {})
    const piece = 1024 * 1024
    for (let i = 0; i * piece <= MAX_EVENT_CHARS + piece; i++) {
      try {
        events.feed(encoder.encode(make(i)))
      } catch (error) {
        return { error, fed: (i + 1) * piece }
      }
    }
    return { error: undefined, fed: Number.POSITIVE_INFINITY }
  }

  it('drops a stream whose line never ends, past MAX_EVENT_CHARS', () => {
    const { error, fed } = feedUntilThrow(() => 'x'.repeat(1024 * 1024))
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(/grew past \d+ characters without its end/)
    expect(fed).toBe(MAX_EVENT_CHARS + 1024 * 1024)
  })

  it('drops a stream of data: lines that never ends its event', () => {
    const line = `data: ${'y'.repeat(1024 * 1024 - 7)}\n`
    const { error, fed } = feedUntilThrow(() => line)
    expect(error).toBeInstanceOf(TransportError)
    expect(fed).toBeLessThanOrEqual(MAX_EVENT_CHARS + 1024 * 1024)
  })

  it('holds nothing after an event ends, however many large events pass', () => {
    const events = new SseEvents('subscribe', 'chat', { onMessage: () => {} }, () => {})
    const big = `data: message,chat,${'z'.repeat(8 * 1024 * 1024)}\ndata: more\n\n`
    for (let i = 0; i < 12; i++) events.feed(encoder.encode(big))
    expect(events.ended).toBeUndefined()
  })
})
