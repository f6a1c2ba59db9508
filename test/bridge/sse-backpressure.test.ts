/**
 * Issue 12, item 5: a subscribe stream holds a bounded number of bytes however slow its reader.
 * A subscriber that stopped reading while 200 × 1 MB were published used to grow the bridge from
 * 54 to 262 MB and on; the bridge now stops reading Valkey for it, Valkey's own pubsub output limit
 * drops the subscriber, and the stream ends with a final `event: error`.
 */
import { Redis } from '@upstash/redis'
import { describe, expect, it } from 'vitest'
import { rssOf } from '../support/rss.ts'
import { useValkey } from '../support/use-valkey.ts'
import { rawSubscribe, TOKEN, useBridgeProcess, usePublisher } from './support.ts'

const valkey = useValkey()
const bridge = useBridgeProcess(valkey, ['--max-stream-buffer', String(2 * 1024 * 1024)])
const publisher = usePublisher(valkey, { commandTimeout: 30_000 })

const MB = 1024 * 1024
/** The chunked encoding's last chunk: the response, and so the stream, ended. */
const LAST_CHUNK = '\r\n0\r\n\r\n'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A raw HTTP/1.1 subscriber, so the test decides when (and whether) it reads. */
const subscribe = async (channel: string) => {
  const subscriber = await rawSubscribe(bridge.url, channel)
  expect(subscriber.received()).toMatch(/^HTTP\/1\.1 200/)
  expect(subscriber.received()).toContain(`data: subscribe,${channel},1`)
  return subscriber
}

const subscribers = async (channel: string): Promise<number> => {
  const reply = (await publisher.send(['PUBSUB', 'NUMSUB', channel])) as [unknown, number]
  return Number(reply[1])
}

describe('subscribe streams and slow readers', () => {
  it('keeps the bridge under +64 MB while a stalled subscriber is sent 200 × 1 MB, then ends the stream with an error event', async () => {
    const { socket, received } = await subscribe('stalled')
    socket.pause()
    const before = rssOf(bridge.child.pid!)
    let peak = before
    const payload = 'x'.repeat(MB)
    for (let i = 0; i < 200; i++) {
      await publisher.send(['PUBLISH', 'stalled', payload])
      if (i % 10 === 9) peak = Math.max(peak, rssOf(bridge.child.pid!))
    }
    await sleep(500)
    peak = Math.max(peak, rssOf(bridge.child.pid!))
    console.log(
      `stalled subscriber, 200 MB published: bridge RSS ${(before / 1e6).toFixed(0)} -> peak ${(peak / 1e6).toFixed(0)} MB`,
    )
    expect(peak - before).toBeLessThan(64 * MB)
    // Valkey dropped the subscriber past its pubsub output limit: nobody listens any more.
    // (Valkey frees a client over its limit asynchronously: poll rather than read once.)
    await expect.poll(() => subscribers('stalled'), { timeout: 10_000 }).toBe(0)
    // The reader comes back: what was held reaches it, then the final error event, then the end.
    socket.resume()
    await expect.poll(() => received().endsWith(LAST_CHUNK), { timeout: 30_000 }).toBe(true)
    const text = received()
    const messages = text.split('data: message,stalled,').length - 1
    expect(messages).toBeGreaterThan(0)
    expect(messages).toBeLessThan(200)
    expect(text).toMatch(
      /event: error\ndata: error,stalled,ERR Valkey ended the subscription[^\n]*\n\n\r\n0\r\n\r\n$/,
    )
  }, 120_000)

  it('delivers every message to a reader that keeps up', async () => {
    const { socket, received } = await subscribe('steady')
    const payload = 'y'.repeat(MB)
    for (let i = 0; i < 40; i++) await publisher.send(['PUBLISH', 'steady', payload])
    for (let i = 0; i < 400 && received().split('data: message,steady,').length - 1 < 40; i++) await sleep(25)
    expect(received().split('data: message,steady,').length - 1).toBe(40)
    expect(received()).not.toContain('event: error')
    expect(await subscribers('steady')).toBe(1)
    socket.destroy()
  }, 60_000)

  it('ends a stream whose next message would pass --max-stream-buffer, and drops its subscription', async () => {
    const { socket, received } = await subscribe('huge')
    await publisher.send(['PUBLISH', 'huge', 'z'.repeat(3 * MB)])
    await expect.poll(() => received().endsWith(LAST_CHUNK), { timeout: 30_000 }).toBe(true)
    expect(received()).toMatch(
      /event: error\ndata: error,huge,ERR the subscriber fell behind: over 2097152 bytes waited to be sent[^\n]*\n\n\r\n0\r\n\r\n$/,
    )
    expect(received()).not.toContain('data: message,huge,')
    await expect.poll(() => subscribers('huge'), { timeout: 10_000 }).toBe(0)
    socket.destroy()
  }, 60_000)

  it("hands the final event to an @upstash/redis subscriber's error listeners", async () => {
    const redis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })
    const sub = redis.subscribe<string>(['upstash-huge'])
    const errors: unknown[] = []
    sub.on('error', (error) => errors.push(error))
    await new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))
    await publisher.send(['PUBLISH', 'upstash-huge', 'z'.repeat(3 * MB)])
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1)
    expect(errors[0]).toEqual({
      channel: 'upstash-huge',
      message: expect.stringMatching(/^ERR the subscriber fell behind: over 2097152 bytes/),
    })
    await expect.poll(() => subscribers('upstash-huge')).toBe(0)
    await sub.unsubscribe()
  }, 60_000)
})
