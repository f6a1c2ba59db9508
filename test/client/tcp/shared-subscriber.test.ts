import { describe, expect, it } from 'vitest'
import { connect } from '../../../adapters/node/index.ts'
import { type Client, createTcpClient, subscribe } from '../../../src/index.ts'
import { iterate, take, until, useClients } from '../../pubsub/support.ts'
import { useValkey } from '../../support/use-valkey.ts'

const valkey = useValkey()
const keep = useClients()
const client = () => keep(createTcpClient({ url: valkey.url, connect }))

/** Subscriber connections open on the server, and how many of them are on `channel`. */
const census = async (admin: Client, channel: string) => {
  const list = String(await admin.send(['CLIENT', 'LIST', 'TYPE', 'PUBSUB']))
  const numsub = (await admin.send(['PUBSUB', 'NUMSUB', channel])) as [string, number]
  return { connections: list.split('\n').filter((line) => line.includes('id=')).length, onChannel: numsub[1] }
}

describe('subscriptions from one TCP client', () => {
  it('share one connection: each gets every message, and closing one leaves the others', async () => {
    const shared = client()
    const admin = client()
    const a = subscribe(shared, 'news')
    const b = subscribe(shared, ['news', 'sport'])
    const c = subscribe(shared, [], { patterns: ['new*'] })
    await Promise.all([a.ready, b.ready, c.ready])
    expect(await census(admin, 'news')).toEqual({ connections: 1, onChannel: 1 })
    const [ia, ib, ic] = [iterate(a), iterate(b), iterate(c)]
    await admin.send(['PUBLISH', 'news', 'one'])
    await admin.send(['PUBLISH', 'sport', 'two'])
    expect(await take(ia, 1)).toEqual([{ channel: 'news', message: 'one' }])
    expect(await take(ib, 2)).toEqual([
      { channel: 'news', message: 'one' },
      { channel: 'sport', message: 'two' },
    ])
    expect(await take(ic, 1)).toEqual([{ channel: 'news', message: 'one', pattern: 'new*' }])

    await a.close()
    await admin.send(['PUBLISH', 'news', 'three'])
    expect(await take(ib, 1)).toEqual([{ channel: 'news', message: 'three' }])
    expect(await take(ic, 1)).toEqual([{ channel: 'news', message: 'three', pattern: 'new*' }])
    // b still wants news: the server stays subscribed; once b lets go of sport, the server does too.
    await b.unsubscribe('sport')
    await until(async () => (await census(admin, 'sport')).onChannel === 0, 5_000, 'sport unsubscribed')
    expect((await census(admin, 'news')).onChannel).toBe(1)

    await Promise.all([b.close(), c.close()])
    await until(async () => (await census(admin, 'news')).connections === 0, 5_000, 'the connection closed')
  })

  it('all resubscribe on a new shared connection after the server drops it', async () => {
    const shared = client()
    const admin = client()
    const a = subscribe(shared, 'alerts')
    const b = subscribe(shared, 'alerts')
    await Promise.all([a.ready, b.ready])
    const gaps: string[] = []
    a.on('gap', () => gaps.push('a'))
    b.on('gap', () => gaps.push('b'))
    await admin.send(['CLIENT', 'KILL', 'TYPE', 'PUBSUB'])
    await until(() => gaps.length === 2, 10_000, 'both gaps reported')
    await until(async () => (await census(admin, 'alerts')).onChannel === 1, 10_000, 'resubscribed')
    expect((await census(admin, 'alerts')).connections).toBe(1)
    await admin.send(['PUBLISH', 'alerts', 'back'])
    expect(await take(iterate(a), 1)).toEqual([{ channel: 'alerts', message: 'back' }])
    expect(await take(iterate(b), 1)).toEqual([{ channel: 'alerts', message: 'back' }])
    await Promise.all([a.close(), b.close()])
    await until(async () => (await census(admin, 'alerts')).connections === 0, 5_000, 'the connection closed')
  })

  it('keeps text, bytes, and pausing subscriptions on connections apart', async () => {
    const shared = client()
    const admin = client()
    const text = subscribe(shared, 'mixed')
    const bytes = subscribe(shared, 'mixed', { bytes: true })
    // One that stops reading when full must not stop the others: it has its own connection.
    const pausing = subscribe(shared, 'mixed', { overflow: 'pause' })
    await Promise.all([text.ready, bytes.ready, pausing.ready])
    expect(await census(admin, 'mixed')).toEqual({ connections: 3, onChannel: 3 })
    await admin.send(['PUBLISH', 'mixed', 'hi'])
    expect(await take(iterate(text), 1)).toEqual([{ channel: 'mixed', message: 'hi' }])
    expect(await take(iterate(bytes), 1)).toEqual([
      { channel: 'mixed', message: new TextEncoder().encode('hi') },
    ])
    expect(await take(iterate(pausing), 1)).toEqual([{ channel: 'mixed', message: 'hi' }])
    await Promise.all([text.close(), bytes.close(), pausing.close()])
  })
})
