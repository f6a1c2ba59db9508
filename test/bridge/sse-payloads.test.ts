/**
 * Tricky payloads published to a real Valkey, read through a bridge process as SSE: the raw body
 * holds the bytes the text path (decode, sseEvent, encode) sent for every valid UTF-8 payload, and
 * for invalid UTF-8 the same text once decoded; an EventSource and `@upstash/redis`'s subscriber
 * get the exact payloads.
 */
import { Redis } from '@upstash/redis'
import { EventSource } from 'undici'
import { describe, expect, it } from 'vitest'
import { sseEvent } from '../../src/bridge/sse-events.ts'
import { useValkey } from '../support/use-valkey.ts'
import { chunksOf, rawSubscribe, TOKEN, useBridgeProcess, usePublisher } from './support.ts'

const valkey = useValkey()
const bridge = useBridgeProcess(valkey)
const publisher = usePublisher(valkey)

const encoder = new TextEncoder()
const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? encoder.encode(p) : new Uint8Array(p))))
/** How the bridge decoded a value before (a leading U+FEFF kept). */
const asText = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)
const hasBreak = (b: Uint8Array) => b.includes(13) || b.includes(10)

const valid: Uint8Array[] = [
  bytes('hello'),
  bytes(''),
  bytes('a,b,,c'),
  bytes('héllo ✓ 😀 日本'),
  bytes('\uFEFFbom first'),
  bytes('a\r\nb'),
  bytes('a\rb'),
  bytes('a\nb'),
  bytes('\r\n\n\r'),
  bytes('x\n\ndata: message,fake,1\n\nevent: error'),
  bytes('z'.repeat(1024 * 1024)),
  bytes('é'.repeat(50_000)),
]
const invalid: Uint8Array[] = [
  bytes([0xff]),
  bytes('a', [0xc3]),
  bytes([0xe2, 0x82], 'x'),
  bytes([0xed, 0xa0, 0x80]),
  bytes([0xff], '\r\n', [0x80]),
]
const END = bytes('END')

const publish = async (channel: string, payloads: Uint8Array[]) => {
  await publisher.pipeline([...payloads, END].map((p) => ['PUBLISH', channel, p]))
}

/** The raw body of `/<kind>/<channel>` (chunked transfer decoded), once its confirmation arrived. */
const rawStream = async (kind: 'subscribe' | 'psubscribe', channel: string) => {
  const { socket, received } = await rawSubscribe(bridge.url, channel, kind)
  const text = (): string => chunksOf(received()).join('')
  const ready = `data: ${kind},${channel},1\n\n`
  await expect.poll(() => text().includes(ready), { timeout: 10_000 }).toBe(true)
  return {
    body: (): Buffer => Buffer.from(text(), 'latin1'),
    until: (end: string) => expect.poll(() => text().endsWith(end), { timeout: 20_000 }).toBe(true),
    close: () => socket.destroy(),
  }
}

describe('the bridge SSE body, for tricky payloads', () => {
  it('holds the bytes the text path sent for valid UTF-8 (channel with a comma, subscribe and psubscribe)', async () => {
    const sub = await rawStream('subscribe', 'e2e,valid')
    const psub = await rawStream('psubscribe', 'e2e,v*')
    await publish('e2e,valid', valid)
    await sub.until('data: message,e2e,valid,END\n\n')
    await psub.until('data: pmessage,e2e,v*,e2e,valid,END\n\n')
    const all = [...valid, END].map(asText)
    const subExpected =
      sseEvent(['subscribe', 'e2e,valid', 1]) + all.map((p) => sseEvent(['message', 'e2e,valid', p])).join('')
    const psubExpected =
      sseEvent(['psubscribe', 'e2e,v*', 1]) +
      all.map((p) => sseEvent(['pmessage', 'e2e,v*', 'e2e,valid', p])).join('')
    expect(sub.body().equals(encoder.encode(subExpected))).toBe(true)
    expect(psub.body().equals(encoder.encode(psubExpected))).toBe(true)
    sub.close()
    psub.close()
  }, 30_000)

  it('passes invalid UTF-8 through, which decodes to the text the text path sent', async () => {
    const sub = await rawStream('subscribe', 'e2e-invalid')
    await publish('e2e-invalid', invalid)
    await sub.until('data: message,e2e-invalid,END\n\n')
    const expected =
      sseEvent(['subscribe', 'e2e-invalid', 1]) +
      [...invalid, END].map((p) => sseEvent(['message', 'e2e-invalid', asText(p)])).join('')
    const body = sub.body()
    expect(new TextDecoder().decode(body)).toBe(expected)
    // The first payload, 0xFF alone, went through as it is (the text path sent EF BF BD).
    expect(body.includes(Buffer.from('data: message,e2e-invalid,\xff\n\n', 'latin1'))).toBe(true)
    sub.close()
  }, 30_000)

  it('gives an EventSource every payload, line breaks as the SSE spec joins them', async () => {
    const channel = 'e2e-eventsource'
    const source = new EventSource(`${bridge.url}/subscribe/${channel}?_token=${TOKEN}`)
    const got: string[] = []
    source.onmessage = (event) => got.push(event.data)
    try {
      await expect.poll(() => got.length, { timeout: 10_000 }).toBe(1)
      await publish(channel, [...valid, ...invalid])
      await expect.poll(() => got.at(-1), { timeout: 20_000 }).toBe(`message,${channel},END`)
    } finally {
      source.close()
    }
    const expected = [...valid, ...invalid, END].map(
      (p) => `message,${channel},${asText(p).replace(/\r\n|\r/g, '\n')}`,
    )
    expect(got).toEqual([`subscribe,${channel},1`, ...expected])
  }, 30_000)

  it("gives @upstash/redis's subscriber every payload that fits its contract (one line, under 1 MB)", async () => {
    const channel = 'e2e-upstash'
    const redis = new Redis({
      url: bridge.url,
      token: TOKEN,
      automaticDeserialization: false,
      enableTelemetry: false,
    })
    const sub = redis.subscribe<string>([channel])
    const got: string[] = []
    const subscribed = new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))
    sub.on('message', ({ message }) => got.push(message))
    await subscribed
    const fits = [...valid, ...invalid].filter((p) => !hasBreak(p) && p.length < 1024 * 1024)
    await publish(channel, fits)
    await expect.poll(() => got.at(-1), { timeout: 20_000 }).toBe('END')
    await sub.unsubscribe()
    expect(got).toEqual([...fits, END].map(asText))
    expect(got).toContain('\uFEFFbom first')
    expect(got).toContain('\uFFFD')
  }, 30_000)
})
