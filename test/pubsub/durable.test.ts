/**
 * Durable mode: the subscriber's link is cut for 2 s while the publisher goes on; once back, it
 * replays exactly what was published meanwhile, in order, once each.
 */
import { describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import {
  createHttpClient,
  createMemoryClient,
  createTcpClient,
  type Gap,
  publish,
  subscribe,
} from '../../src/index.ts'
import { startTestBridge, TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { startProxy } from './proxy.ts'
import { iterate, take, until, useClients } from './support.ts'

const valkey = useValkey()
const keep = useClients()
const tcp = (url: string) =>
  keep(createTcpClient({ url, connect, reconnect: { attempts: 100, minDelay: 50, maxDelay: 200 } }))

/**
 * A durable subscription to `channel` through a proxy in front of Valkey (for the test to cut), the
 * gaps it reports, its iterator, and a publisher on Valkey directly.
 */
const durableThroughProxy = async (channel: string) => {
  const proxy = await startProxy({ host: '127.0.0.1', port: valkey.server.port })
  const gaps: Gap[] = []
  const sub = subscribe(tcp(proxy.url), channel, {
    durable: true,
    reconnect: { minDelay: 50, maxDelay: 300 },
    onGap: (g) => gaps.push(g),
  })
  await sub.ready
  return { proxy, gaps, sub, iterator: iterate(sub), pub: tcp(valkey.url) }
}

describe('durable mode', () => {
  it('replays exactly what was published during a 2 s outage', async () => {
    const { proxy, gaps, sub, iterator, pub } = await durableThroughProxy('orders')
    const sent: string[] = []
    const send = async (text: string) => {
      sent.push(text)
      await publish(pub, 'orders', text, { durable: { maxLen: 10_000 } })
    }
    for (let i = 0; i < 20; i++) await send(`before-${i}`)
    const before = await take(iterator, 20)
    const cut = proxy.cut(2000)
    // Publish through the whole outage, from its first instant to its last.
    const during = (async () => {
      for (let i = 0; i < 100; i++) {
        await send(`during-${i}`)
        await new Promise((resolve) => setTimeout(resolve, 18))
      }
    })()
    await Promise.all([cut, during])
    for (let i = 0; i < 20; i++) await send(`after-${i}`)
    const rest = await take(iterator, 120, 20_000)
    const got = [...before, ...rest]
    expect(got.map((m) => m.message)).toEqual(sent)
    // Ids increase strictly: no duplicate, no reordering.
    const ids = got.map((m) => m.id!)
    expect(new Set(ids).size).toBe(ids.length)
    await until(() => sub.stats.reconnects >= 1, 10_000, 'the wake-up link to come back')
    expect(gaps).toEqual([])
    await sub.close()
    await proxy.close()
  }, 60_000)

  it('reports a trimmed gap when MAXLEN dropped entries it had not read', async () => {
    const { proxy, gaps, sub, iterator, pub } = await durableThroughProxy('metrics')
    await publish(pub, 'metrics', 'first', { durable: { maxLen: 10 } })
    expect((await take(iterator, 1))[0]!.message).toBe('first')
    await proxy.down()
    // 1000 entries into a stream kept at about 10: most are trimmed before the subscriber is back.
    for (let i = 0; i < 1000; i++) await publish(pub, 'metrics', `m${i}`, { durable: { maxLen: 10 } })
    await proxy.up()
    const [next] = await take(iterator, 1, 20_000)
    expect(next!.message).not.toBe('m0')
    expect(gaps).toEqual([{ reason: 'trimmed', channels: ['metrics'] }])
    await sub.close()
    await proxy.close()
  }, 60_000)

  it('starts from an id, replaying what the stream kept after it', async () => {
    const pub = tcp(valkey.url)
    const first = (await publish(pub, 'audit', 'one', { durable: true })) as string
    await publish(pub, 'audit', 'two', { durable: true })
    await publish(pub, 'audit', 'three', { durable: true })
    const sub = subscribe(tcp(valkey.url), 'audit', { durable: { from: first } })
    const got = await take(iterate(sub), 2)
    expect(got.map((m) => m.message)).toEqual(['two', 'three'])
    await sub.close()
  })

  it('needs stream commands: on the memory backend it reports the unknown command', async () => {
    const sub = subscribe(createMemoryClient(), 'x', { durable: { from: '0' } })
    const errors: unknown[] = []
    sub.on('error', ({ error }) => errors.push(error))
    await sub.ready
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(String(errors[0])).toMatch(/unknown command 'XREAD'/)
    await sub.close()
  })
})

describe('durable mode through the bridge', () => {
  const bridge = useBridge(valkey)
  it('reads with XREAD without BLOCK (which the bridge refuses) and replays across a bridge restart', async () => {
    const pub = tcp(valkey.url)
    const gaps: Gap[] = []
    let server = bridge.server
    const port = server.port
    const http = createHttpClient({ url: server.url, token: TOKEN, retries: 0 })
    const sub = subscribe(http, 'invoices', {
      durable: true,
      reconnect: { minDelay: 50, maxDelay: 300 },
      onGap: (g) => gaps.push(g),
    })
    await sub.ready
    const iterator = iterate(sub)
    await publish(pub, 'invoices', 'one', { durable: true })
    expect((await take(iterator, 1))[0]!.message).toBe('one')
    await server.close()
    for (const text of ['two', 'three', 'four']) await publish(pub, 'invoices', text, { durable: true })
    server = await startTestBridge(valkey.url, { port })
    const replayed = await take(iterator, 3, 20_000)
    expect(replayed.map((m) => m.message)).toEqual(['two', 'three', 'four'])
    expect(gaps).toEqual([])
    await sub.close()
    await server.close()
  }, 60_000)
})
