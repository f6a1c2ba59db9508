/**
 * Pub/sub on a real local Valkey Cluster: classic channels published on any node, and shard
 * channels (SSUBSCRIBE/SPUBLISH) routed by slot, still delivered after `valkey-cli --cluster
 * reshard` moves their slot to another primary (Valkey unsubscribes them on the old owner; the
 * subscription resubscribes at the new one and reports the gap).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import {
  type Client,
  createClusterClient,
  type Gap,
  keySlot,
  type PubSubMessage,
  publish,
  spublish,
  subscribe,
} from '../../src/index.ts'
import { useCluster } from '../support/use-cluster.ts'
import { iterate, publishUntilReceived, take, until } from './support.ts'

const ctx = useCluster()
let client: Client
let publisher: Client
beforeAll(() => {
  client = createClusterClient({ url: ctx.cluster.url, connect })
  publisher = createClusterClient({ url: ctx.cluster.url, connect })
})
afterAll(async () => {
  await client.close()
  await publisher.close()
})

describe('pub/sub on a cluster', () => {
  it('delivers classic channels and patterns published through any node', async () => {
    const sub = subscribe(client, ['news', 'sport'], { patterns: ['weather:*'] })
    await sub.ready
    const iterator = iterate(sub)
    await publish(publisher, 'news', 'n1')
    await publish(publisher, 'weather:paris', 'rain')
    await publish(publisher, 'sport', 's1')
    // Published through different nodes, they reach the subscriber's node by different paths:
    // order holds per channel only.
    const got = await take(iterator, 3)
    expect(got.sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: 'news', message: 'n1' },
      { channel: 'sport', message: 's1' },
      { channel: 'weather:paris', message: 'rain', pattern: 'weather:*' },
    ])
    await sub.close()
  })

  it('delivers shard channels on three shards in order per channel', async () => {
    const channels = ['{a}:chat', '{b}:chat', '{c}:chat', '{a}:other']
    const owners = await Promise.all(channels.map((c) => ctx.cluster.primaryOf(keySlot(c))))
    expect(new Set(owners).size).toBeGreaterThanOrEqual(2)
    const sub = subscribe(client, channels, { sharded: true })
    await sub.ready
    for (let i = 0; i < 20; i++)
      for (const channel of channels) await spublish(publisher, channel, `${channel}#${i}`)
    const got = await take(iterate(sub), 80)
    for (const channel of channels) {
      expect(got.filter((m) => m.channel === channel).map((m) => m.message)).toEqual(
        Array.from({ length: 20 }, (_, i) => `${channel}#${i}`),
      )
    }
    await sub.close()
  })

  /** Three names, one on each primary: whichever primary holds the classic subscriptions, one
   * shard channel shares that node's subscriber connection with the classic channel of its name. */
  const oneNamePerPrimary = async (base: string): Promise<string[]> => {
    const view = await ctx.cluster.view()
    const ownerOf = (name: string) =>
      view.find(
        (node) =>
          node.role === 'primary' &&
          !node.failed &&
          node.slots.some(([a, b]) => a <= keySlot(name) && keySlot(name) <= b),
      )?.port
    const names: string[] = []
    const owners = new Set<number | undefined>()
    for (let i = 0; names.length < 3; i++) {
      const name = `{${base}${i}}:room`
      if (owners.has(ownerOf(name))) continue
      owners.add(ownerOf(name))
      names.push(name)
    }
    return names
  }

  /** A sharded subscription to `channel` that resubscribes within 500 ms, its gaps, and its iterator,
   * which has received the message 'before'. */
  const shardSubscription = async (channel: string) => {
    const gaps: Gap[] = []
    const sub = subscribe(client, channel, {
      sharded: true,
      reconnect: { minDelay: 50, maxDelay: 500 },
      onGap: (g) => gaps.push(g),
    })
    await sub.ready
    const iterator = iterate(sub)
    await spublish(publisher, channel, 'before')
    expect((await take(iterator, 1))[0]).toEqual({ channel, message: 'before', sharded: true })
    return { gaps, sub, iterator }
  }

  const byChannel = (a: { channel: string }, b: { channel: string }) => a.channel.localeCompare(b.channel)

  /** Each kind gets exactly its own messages on every name, in two rounds (`${round}a`, `${round}b`). */
  const expectApart = async (
    names: string[],
    [ci, si]: AsyncIterator<PubSubMessage>[],
    round: string,
  ): Promise<void> => {
    // SPUBLISH first: on the shared node it reaches the connection before the PUBLISH that follows,
    // so a shard message routed to the classic subscription would be the first it reads.
    for (const name of names) await spublish(publisher, name, `s${round}a:${name}`)
    for (const name of names) await publish(publisher, name, `c${round}:${name}`)
    expect((await take(ci!, 3)).sort(byChannel)).toEqual(
      names.map((channel) => ({ channel, message: `c${round}:${channel}` })).sort(byChannel),
    )
    // Each classic message was handed out when the classic subscription got it: a misrouted one
    // would now sit in the sharded subscription's buffer, before the second shard round.
    for (const name of names) await spublish(publisher, name, `s${round}b:${name}`)
    const got = await take(si!, 6)
    for (const name of names) {
      expect(got.filter((m) => m.channel === name)).toEqual([
        { channel: name, message: `s${round}a:${name}`, sharded: true },
        { channel: name, message: `s${round}b:${name}`, sharded: true },
      ])
    }
  }

  it('keeps a classic channel and the shard channel of the same name apart on one client', async () => {
    const names = await oneNamePerPrimary('same')
    const classic = subscribe(client, names)
    const sharded = subscribe(client, names, { sharded: true })
    await Promise.all([classic.ready, sharded.ready])
    const iterators = [iterate(classic), iterate(sharded)]
    await expectApart(names, iterators, '1')
    expect([classic.stats.received, sharded.stats.received]).toEqual([3, 6])
    // The classic subscription leaving keeps every shard channel.
    await classic.close()
    for (const name of names) await spublish(publisher, name, `s3:${name}`)
    expect((await take(iterators[1]!, 3)).sort(byChannel)).toEqual(
      names.map((channel) => ({ channel, message: `s3:${channel}`, sharded: true })).sort(byChannel),
    )
    await sharded.close()
  })

  it('brings both kinds back as their own kind after their shared connection is killed', async () => {
    const names = await oneNamePerPrimary('back')
    let gaps = 0
    const options = { reconnect: { minDelay: 50, maxDelay: 500 }, onGap: () => void gaps++ }
    const classic = subscribe(client, names, options)
    const sharded = subscribe(client, names, { ...options, sharded: true })
    await Promise.all([classic.ready, sharded.ready])
    const iterators = [iterate(classic), iterate(sharded)]
    await expectApart(names, iterators, '1')
    // The node holding the classic channels: one connection there carries both kinds.
    const primaries = (await ctx.cluster.view()).filter((node) => node.role === 'primary' && !node.failed)
    const lists = await Promise.all(
      primaries.map((node) => ctx.cluster.cli(node.port, 'CLIENT', 'LIST', 'TYPE', 'PUBSUB')),
    )
    const shared = primaries.filter((_, i) => / sub=3 .* ssub=1 /.test(lists[i]!))
    expect(shared).toHaveLength(1)
    await ctx.cluster.cli(shared[0]!.port, 'CLIENT', 'KILL', 'TYPE', 'PUBSUB')
    // A gap is reported once the new connections' subscribes are confirmed: both are back now.
    await until(() => gaps === 2, 20_000, 'both gaps')
    await expectApart(names, iterators, '2')
    expect([classic.stats.received, sharded.stats.received]).toEqual([6, 12])
    await Promise.all([classic.close(), sharded.close()])
  }, 60_000)

  it('keeps delivering a shard channel after its slot is resharded to another primary', async () => {
    const view = await ctx.cluster.view()
    const primaries = view.filter((node) => node.role === 'primary')
    const [from, to] = [primaries[0]!, primaries[1]!]
    const first = Math.min(...from.slots.map(([a]) => a))
    // `reshard` moves the lowest slots the source owns: a channel whose slot is among the 10 lowest.
    let channel = ''
    for (let i = 0; channel === ''; i++) {
      const slot = keySlot(`room${i}`)
      if (slot >= first && slot < first + 10) channel = `room${i}`
    }
    const { gaps, sub, iterator } = await shardSubscription(channel)

    await ctx.cluster.reshard(from.port, to.port, 10)
    expect(await ctx.cluster.primaryOf(keySlot(channel))).toBe(to.port)
    // Publish until the resubscribed connection on the new owner receives one.
    const next = await publishUntilReceived(
      iterator,
      () => spublish(publisher, channel, 'after'),
      'delivery after the reshard',
    )
    expect(next).toEqual({ channel, message: 'after', sharded: true })
    expect(gaps.map((g) => g.reason)).toContain('reconnect')
    expect(await ctx.cluster.cli(to.port, 'PUBSUB', 'SHARDNUMSUB', channel)).toBe(`${channel}\n1`)
    await sub.close()
  }, 120_000)

  it('keeps delivering a shard channel after its primary is SIGKILLed and a replica takes over', async () => {
    const view = await ctx.cluster.view()
    const primary = view.find((node) => node.role === 'primary' && node.port !== view[0]!.port) ?? view[0]!
    const first = Math.min(...primary.slots.map(([a]) => a))
    let channel = ''
    for (let i = 0; channel === ''; i++) {
      const slot = keySlot(`fo${i}`)
      if (primary.slots.some(([a, b]) => slot >= a && slot <= b) && slot >= first) channel = `fo${i}`
    }
    const { gaps, sub, iterator } = await shardSubscription(channel)
    const replica = await ctx.cluster.replicaOf(primary.port)
    ctx.cluster.kill(primary.port)
    await ctx.cluster.failover(replica, 'TAKEOVER')
    const next = await publishUntilReceived(
      iterator,
      () => spublish(publisher, channel, 'after'),
      'delivery after the failover',
    )
    expect(next).toEqual({ channel, message: 'after', sharded: true })
    expect(gaps.map((g) => g.reason)).toContain('reconnect')
    await sub.close()
  }, 120_000)
})
