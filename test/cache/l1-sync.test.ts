/**
 * The L1 kept coherent across instances over pub/sub (`l1: { sync: true }`): two caches on two
 * clients of one Valkey, each with a long L1 TTL, so only the sync can make a change show up.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { type Cache, createCache } from '../../src/cache/index.ts'
import { type Client, createTcpClient } from '../../src/index.ts'
import { until } from '../pubsub/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const clients: Client[] = []
const caches: Cache[] = []
const instance = async (): Promise<Cache> => {
  const client = createTcpClient({ url: valkey.url, connect })
  clients.push(client)
  const cache = createCache({ client, ttl: '10 m', l1: { ttl: '10 m', sync: true } })
  caches.push(cache)
  await cache.l1Sync!.subscription.ready
  return cache
}
afterAll(async () => {
  await Promise.all(caches.map((c) => c.l1Sync?.subscription.close()))
  await Promise.all(clients.map((c) => c.close()))
})

describe('L1 sync over pub/sub', () => {
  it("drops a key from the other instances' L1 when one instance sets or deletes it", async () => {
    const [a, b] = [await instance(), await instance()]
    expect(await b.getOrSet('user:1', async () => 'v1')).toBe('v1')
    expect(b.l1!.get('user:1', Date.now())).toEqual({ value: 'v1' })
    await a.set('user:1', 'v2')
    await until(() => b.l1!.get('user:1', Date.now()) === undefined, 5000, "b's L1 to drop user:1")
    expect(await b.get('user:1')).toBe('v2')
    await a.delete('user:1')
    await until(() => b.l1!.get('user:1', Date.now()) === undefined, 5000, "b's L1 to drop user:1 again")
    expect(await b.get('user:1')).toBeUndefined()
  })

  it('drops tagged entries when another instance invalidates the tag, and keeps its own writes', async () => {
    const [a, b] = [await instance(), await instance()]
    await b.getOrSet('team:7:name', async () => 'Blue', { tags: ['team:7'] })
    await b.getOrSet('team:8:name', async () => 'Red', { tags: ['team:8'] })
    await b.set('own', 'mine')
    await a.invalidateTags(['team:7'])
    await until(() => b.l1!.get('team:7:name', Date.now()) === undefined, 5000, 'the tagged entry to go')
    expect(b.l1!.get('team:8:name', Date.now())).toEqual({ value: 'Red' })
    // b's own notice came back to it on the channel and was ignored.
    expect(b.l1!.get('own', Date.now())).toEqual({ value: 'mine' })
  })

  it('clears the L1 when its pub/sub connection drops (a notice may have been missed)', async () => {
    const b = await instance()
    await b.getOrSet('k', async () => 1)
    expect(b.l1!.size).toBeGreaterThan(0)
    valkey.server.cli('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await until(() => b.l1!.size === 0, 5000, 'the L1 to be cleared')
    await until(() => b.l1Sync!.subscription.stats.reconnects >= 1, 10_000, 'the sync to reconnect')
  })
})
