/**
 * The behaviour every transport shares: delivery, order per channel, patterns, unsubscribe,
 * close(), bytes. Each transport's file runs it with its own clients.
 */
import { describe, expect, it } from 'vitest'
import { type Client, psubscribe, publish, subscribe } from '../../src/index.ts'
import { iterate, take, until } from './support.ts'

export interface PubSubTarget {
  /** A client to subscribe with, and one to publish with (may be the same). */
  subscriber(): Client
  publisher(): Client
}

let n = 0
const unique = (name: string) => `${name}:${process.pid}:${++n}`

export const pubsubSuite = (name: string, target: PubSubTarget) =>
  describe(`pub/sub over ${name}`, () => {
    it('delivers every message of a channel in publish order', async () => {
      const channel = unique('order')
      const sub = subscribe(target.subscriber(), channel)
      await sub.ready
      const messages = Array.from({ length: 200 }, (_, i) => `m${i}`)
      const pub = target.publisher()
      for (const m of messages) await publish(pub, channel, m)
      const got = await take(iterate(sub), 200)
      expect(got.map((m) => m.message)).toEqual(messages)
      expect(got.every((m) => m.channel === channel)).toBe(true)
      await sub.close()
    })

    it('keeps order per channel across several channels, with payloads holding commas and newlines', async () => {
      const a = unique('a')
      const b = unique('b')
      const sub = subscribe(target.subscriber(), [a, b])
      await sub.ready
      const pub = target.publisher()
      await Promise.all([
        (async () => {
          for (let i = 0; i < 50; i++) await publish(pub, a, `a,${i}\nline`)
        })(),
        (async () => {
          for (let i = 0; i < 50; i++) await publish(pub, b, `b${i}`)
        })(),
      ])
      const got = await take(iterate(sub), 100)
      expect(got.filter((m) => m.channel === a).map((m) => m.message)).toEqual(
        Array.from({ length: 50 }, (_, i) => `a,${i}\nline`),
      )
      expect(got.filter((m) => m.channel === b).map((m) => m.message)).toEqual(
        Array.from({ length: 50 }, (_, i) => `b${i}`),
      )
      await sub.close()
    })

    it('matches patterns and says which pattern matched', async () => {
      const base = unique('room')
      const sub = psubscribe(target.subscriber(), `${base}:*`)
      await sub.ready
      const pub = target.publisher()
      await publish(pub, `${base}:1`, 'one')
      await publish(pub, `${base}-other`, 'not matched')
      await publish(pub, `${base}:2`, 'two')
      const got = await take(iterate(sub), 2)
      expect(got).toEqual([
        { channel: `${base}:1`, message: 'one', pattern: `${base}:*` },
        { channel: `${base}:2`, message: 'two', pattern: `${base}:*` },
      ])
      await sub.close()
    })

    it('stops delivering a channel after unsubscribe, and keeps the others', async () => {
      const keep = unique('keep')
      const drop = unique('drop')
      const sub = subscribe(target.subscriber(), [keep, drop])
      await sub.ready
      await sub.unsubscribe(drop)
      const pub = target.publisher()
      await publish(pub, drop, 'gone')
      await publish(pub, keep, 'kept')
      await sub.subscribe(unique('later'))
      const [first] = await take(iterate(sub), 1)
      expect(first).toEqual({ channel: keep, message: 'kept' })
      expect(sub.stats.received).toBe(1)
      await sub.close()
    })

    it('close() ends the iteration and the server forgets the subscriber', async () => {
      const channel = unique('close')
      const sub = subscribe(target.subscriber(), channel)
      await sub.ready
      const pub = target.publisher()
      const iterator = iterate(sub)
      const pending = iterator.next()
      await sub.close()
      expect(await pending).toEqual({ value: undefined, done: true })
      await until(async () => (await publish(pub, channel, 'x')) === 0, 5000, 'no receivers')
    })

    it('delivers bytes exactly with { bytes: true }', async () => {
      const channel = unique('bytes')
      const sub = subscribe(target.subscriber(), channel, { bytes: true })
      await sub.ready
      await publish(target.publisher(), channel, 'héllo')
      const [got] = await take(iterate(sub), 1)
      expect(got!.message).toBeInstanceOf(Uint8Array)
      expect(new TextDecoder().decode(got!.message as Uint8Array)).toBe('héllo')
      await sub.close()
    })
  })
