/**
 * A classic channel and a shard channel of the same name are two channels, as on Valkey: PUBLISH
 * reaches only SUBSCRIBE, SPUBLISH only SSUBSCRIBE, on one client whose subscriptions share one
 * connection (TCP, RESP2 and RESP3) and on the memory backend; unsubscribing one kind leaves the
 * other, and both come back as their own kind after Valkey restarts.
 */
import { describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import {
  type Client,
  createMemoryClient,
  createTcpClient,
  publish,
  type Subscription,
  spublish,
  subscribe,
} from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'
import { iterate, take, until, useClients } from './support.ts'

const valkey = useValkey()
const keep = useClients()
const tcp = (protocol: 2 | 3) => () =>
  keep(createTcpClient({ url: valkey.url, connect, subscriberProtocol: protocol }))

let n = 0
const unique = (name: string) => `${name}:${process.pid}:${++n}`

/** PUBLISH and SPUBLISH in turn to `channel`: each reaches one receiver, and each kind reads its own two. */
const expectKindsApart = async (
  pub: Client,
  channel: string,
  classic: Subscription,
  sharded: Subscription,
) => {
  // One receiver each: the shared connection counts once per kind.
  expect(await publish(pub, channel, 'c1')).toBe(1)
  expect(await spublish(pub, channel, 's1')).toBe(1)
  expect(await publish(pub, channel, 'c2')).toBe(1)
  expect(await spublish(pub, channel, 's2')).toBe(1)
  expect(await take(iterate(classic), 2)).toEqual([
    { channel, message: 'c1' },
    { channel, message: 'c2' },
  ])
  expect(await take(iterate(sharded), 2)).toEqual([
    { channel, message: 's1', sharded: true },
    { channel, message: 's2', sharded: true },
  ])
  // Both read from one connection, in publish order: anything misrouted would be in by now.
  expect([classic.stats.received, sharded.stats.received]).toEqual([2, 2])
}

const suite = (name: string, make: () => Client) =>
  describe(`classic and shard channels of one name over ${name}`, () => {
    /** A publisher, and a classic and a sharded subscription to one new channel on one client, both ready. */
    const bothKinds = async (base: string) => {
      const client = make()
      const pub = make()
      const channel = unique(base)
      const classic = subscribe(client, channel)
      const sharded = subscribe(client, channel, { sharded: true })
      await Promise.all([classic.ready, sharded.ready])
      return { pub, channel, classic, sharded }
    }

    it('PUBLISH reaches only the classic subscription, SPUBLISH only the sharded one', async () => {
      const { pub, channel, classic, sharded } = await bothKinds('same')
      await expectKindsApart(pub, channel, classic, sharded)
      await Promise.all([classic.close(), sharded.close()])
    })

    it('routes messages longer than the fast path holds (1 MB) by kind too', async () => {
      const { pub, channel, classic, sharded } = await bothKinds('big')
      const [c, s] = ['c'.repeat(1_000_000), 's'.repeat(1_000_000)]
      await spublish(pub, channel, s)
      await publish(pub, channel, c)
      await spublish(pub, channel, 'after')
      expect(await take(iterate(classic), 1)).toEqual([{ channel, message: c }])
      expect(await take(iterate(sharded), 2)).toEqual([
        { channel, message: s, sharded: true },
        { channel, message: 'after', sharded: true },
      ])
      expect([classic.stats.received, sharded.stats.received]).toEqual([1, 2])
      await Promise.all([classic.close(), sharded.close()])
    })

    it('unsubscribing either subscription leaves the other receiving its own kind', async () => {
      const { pub, channel, classic, sharded } = await bothKinds('either')
      const [ci, si] = [iterate(classic), iterate(sharded)]

      await classic.unsubscribe(channel)
      expect(await publish(pub, channel, 'nobody')).toBe(0)
      expect(await spublish(pub, channel, 's1')).toBe(1)
      expect(await take(si, 1)).toEqual([{ channel, message: 's1', sharded: true }])

      await classic.subscribe(channel)
      await publish(pub, channel, 'c1')
      await spublish(pub, channel, 's2')
      expect(await take(ci, 1)).toEqual([{ channel, message: 'c1' }])
      expect(await take(si, 1)).toEqual([{ channel, message: 's2', sharded: true }])

      await sharded.unsubscribe(channel)
      expect(await spublish(pub, channel, 'nobody')).toBe(0)
      expect(await publish(pub, channel, 'c2')).toBe(1)
      expect(await take(ci, 1)).toEqual([{ channel, message: 'c2' }])
      expect([classic.stats.received, sharded.stats.received]).toEqual([2, 2])
      await Promise.all([classic.close(), sharded.close()])
    })

    it('one subscription holding both kinds keeps the other kind when it drops one', async () => {
      const client = make()
      const pub = make()
      const channel = unique('both')
      const sub = subscribe(client, channel)
      await sub.ready
      await sub.subscribe(channel, 'ssubscribe')
      const iterator = iterate(sub)
      await publish(pub, channel, 'c1')
      await spublish(pub, channel, 's1')
      expect(await take(iterator, 2)).toEqual([
        { channel, message: 'c1' },
        { channel, message: 's1', sharded: true },
      ])

      await sub.unsubscribe(channel, 'subscribe')
      expect(await publish(pub, channel, 'nobody')).toBe(0)
      expect(await spublish(pub, channel, 's2')).toBe(1)
      expect(await take(iterator, 1)).toEqual([{ channel, message: 's2', sharded: true }])

      await sub.subscribe(channel, 'subscribe')
      await sub.unsubscribe(channel, 'ssubscribe')
      expect(await spublish(pub, channel, 'nobody')).toBe(0)
      expect(await publish(pub, channel, 'c2')).toBe(1)
      expect(await take(iterator, 1)).toEqual([{ channel, message: 'c2' }])
      expect(sub.stats.received).toBe(4)
      await sub.close()
    })
  })

// The memory broker is per client: the subscriber and the publisher are one client.
const memory = keep(createMemoryClient())
suite('memory', () => memory)
suite('TCP (RESP2)', tcp(2))
suite('TCP (RESP3 pushes)', tcp(3))

describe('classic and shard channels of one name after Valkey restarts', () => {
  for (const protocol of [2, 3] as const) {
    it(`both resubscribe as their own kind (RESP${protocol})`, async () => {
      const client = tcp(protocol)()
      const channel = unique('restart')
      let gaps = 0
      const options = { reconnect: { minDelay: 50, maxDelay: 500 }, onGap: () => void gaps++ }
      const classic = subscribe(client, channel, options)
      const sharded = subscribe(client, channel, { ...options, sharded: true })
      await Promise.all([classic.ready, sharded.ready])
      await valkey.server.restart()
      // A gap is reported once the new connection's subscribe is confirmed: both are back now.
      await until(() => gaps === 2, 20_000, 'both gaps')
      await expectKindsApart(tcp(2)(), channel, classic, sharded)
      await Promise.all([classic.close(), sharded.close()])
    }, 60_000)
  }
})
