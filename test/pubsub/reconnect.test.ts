/**
 * Reconnect: after Valkey is SIGKILLed and restarted on the same port, and after the bridge
 * restarts, a subscription resubscribes by itself, reports the gap, and delivers again.
 */
import { describe, expect, it } from 'vitest'
import { connect, nodeStreamFetch } from '../../adapters/node/index.ts'
import {
  type Client,
  createHttpClient,
  createTcpClient,
  type Gap,
  type PubSubMessage,
  publish,
  subscribe,
} from '../../src/index.ts'
import { startTestBridge, TOKEN } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { iterate, publishUntilReceived, take, until, useClients } from './support.ts'

const valkey = useValkey()
const keep = useClients()
const tcp = () => keep(createTcpClient({ url: valkey.url, connect }))
const startBridgeOn = (port: number) => startTestBridge(valkey.url, { port })

/** Publishes 'after' until the subscription, which may still be resubscribing, hears one; returns it. */
const publishAfter = (pub: Client, channel: string, iterator: AsyncIterator<PubSubMessage>) =>
  publishUntilReceived(iterator, () => publish(pub, channel, 'after'), 'a message after the restart', 20_000)

describe('reconnect', () => {
  it('resubscribes over TCP after Valkey is SIGKILLed and restarted on the same port, reporting the gap', async () => {
    const gaps: Gap[] = []
    const sub = subscribe(tcp(), ['news', 'sport'], {
      patterns: ['n*'],
      reconnect: { minDelay: 50, maxDelay: 500 },
      onGap: (gap) => gaps.push(gap),
    })
    const disconnects: unknown[] = []
    sub.on('disconnect', ({ error }) => disconnects.push(error))
    await sub.ready
    const iterator = iterate(sub)
    const pub = tcp()
    await publish(pub, 'sport', 'before')
    expect((await take(iterator, 1))[0]).toEqual({ channel: 'sport', message: 'before' })
    const killedAt = Date.now()
    await valkey.server.restart()
    await until(() => gaps.length > 0, 20_000, 'the gap')
    expect(gaps[0]!.reason).toBe('reconnect')
    expect(gaps[0]!.since).toBeGreaterThanOrEqual(killedAt)
    expect(disconnects).toHaveLength(1)
    expect(sub.stats.reconnects).toBe(1)
    await publish(pub, 'sport', 'after')
    expect((await take(iterator, 1))[0]).toEqual({ channel: 'sport', message: 'after' })
    // Channels and patterns both came back: 'news' matches the channel and the pattern.
    await publish(pub, 'news', 'both')
    expect(await take(iterator, 2)).toEqual([
      { channel: 'news', message: 'both' },
      { channel: 'news', message: 'both', pattern: 'n*' },
    ])
    await sub.close()
  }, 60_000)

  it.each([
    ['the global fetch', {}],
    ['nodeStreamFetch', { streamFetch: nodeStreamFetch() }],
  ])(
    'resubscribes over SSE (%s) after the bridge restarts on the same port, reporting the gap',
    async (_, read) => {
      let bridge = await startBridgeOn(0)
      const port = bridge.port
      const http = createHttpClient({ url: bridge.url, token: TOKEN, ...read })
      const gaps: Gap[] = []
      const sub = subscribe(http, 'alerts', {
        reconnect: { minDelay: 50, maxDelay: 500 },
        onGap: (g) => gaps.push(g),
      })
      await sub.ready
      const iterator = iterate(sub)
      const pub = tcp()
      await publish(pub, 'alerts', 'before')
      expect((await take(iterator, 1))[0]!.message).toBe('before')
      await bridge.close()
      await new Promise((resolve) => setTimeout(resolve, 300))
      bridge = await startBridgeOn(port)
      const after = await publishAfter(pub, 'alerts', iterator)
      expect(after).toEqual({ channel: 'alerts', message: 'after' })
      expect(gaps.map((g) => g.reason)).toEqual(['reconnect'])
      await sub.close()
      await bridge.close()
    },
    60_000,
  )

  it('resubscribes over SSE after Valkey behind the bridge is SIGKILLed and restarted', async () => {
    const bridge = await startBridgeOn(0)
    const gaps: Gap[] = []
    const sub = subscribe(createHttpClient({ url: bridge.url, token: TOKEN }), 'ops', {
      reconnect: { minDelay: 50, maxDelay: 500 },
      onGap: (g) => gaps.push(g),
    })
    await sub.ready
    const iterator = iterate(sub)
    await valkey.server.restart()
    const after = await publishAfter(tcp(), 'ops', iterator)
    expect(after).toEqual({ channel: 'ops', message: 'after' })
    expect(gaps.length).toBeGreaterThanOrEqual(1)
    expect(gaps.every((g) => g.reason === 'reconnect')).toBe(true)
    await sub.close()
    await bridge.close()
  }, 60_000)
})
