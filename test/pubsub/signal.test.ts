/**
 * `signal` closes a subscription when it aborts, live and durable alike: the iterator ends after
 * what it already took, and a signal aborted before `subscribe()` gives a subscription that is
 * closed from the start (its `ready` rejects, its iterator is done).
 */
import { describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { type Client, createMemoryClient, createTcpClient, publish, subscribe } from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'
import { iterate, take, until, useClients } from './support.ts'

const valkey = useValkey()
const kept = useClients()

// Durable mode needs Valkey's streams, which the memory backend does not have.
const cases: Array<[string, () => Client, boolean]> = [
  ['live, memory', () => createMemoryClient(), false],
  ['live, Valkey over TCP', () => createTcpClient({ url: valkey.url, connect }), false],
  ['durable, Valkey over TCP', () => createTcpClient({ url: valkey.url, connect }), true],
]

describe.each(cases)('subscribe() with a signal: %s', (_, open, durable) => {
  it('ends the iterator when the signal aborts, after the messages already read', async () => {
    const client = kept(open())
    const channel = `signal:${durable}:${Math.random()}`
    const controller = new AbortController()
    const sub = subscribe(client, channel, { durable, signal: controller.signal })
    await sub.ready
    const iterator = iterate(sub)
    await publish(client, channel, 'one', durable ? { durable: true } : undefined)
    const [first] = await take(iterator, 1)
    expect(first!.message).toBe('one')
    controller.abort()
    await until(async () => (await iterator.next()).done === true, 5_000, 'the iterator to end')
    expect(await iterator.next()).toEqual({ done: true, value: undefined })
  })

  it('is closed from the start with a signal aborted before subscribe()', async () => {
    const client = kept(open())
    const sub = subscribe(client, `signal:aborted:${durable}`, { durable, signal: AbortSignal.abort() })
    await expect(sub.ready).rejects.toThrow(/closed before it was ready/)
    expect(await iterate(sub).next()).toEqual({ done: true, value: undefined })
  })
})
