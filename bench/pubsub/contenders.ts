/**
 * The subscribers compared: floodgate over TCP against ioredis on the same Valkey, and floodgate
 * over SSE against `@upstash/redis`'s subscriber through the same bridge. Each opens `count`
 * subscriptions to one channel (one connection or stream each) and hands every message's text to
 * `onMessage`.
 */
import { Redis as Upstash } from '@upstash/redis'
import { Redis as IORedis } from 'ioredis'
import { connect, nodeStreamFetch } from '../../adapters/node/index.ts'
import { createHttpClient, createTcpClient, subscribe } from '../../src/index.ts'

export interface Endpoints {
  valkeyPort: number
  valkeyUrl: string
  bridgeUrl: string
  token: string
}

export interface Opened {
  close(): Promise<void>
}

export type Open = (
  endpoints: Endpoints,
  channel: string,
  count: number,
  onMessage: (text: string) => void,
) => Promise<Opened>

const floodgate =
  (transport: 'tcp' | 'sse' | 'sse-node'): Open =>
  async (endpoints, channel, count, onMessage) => {
    const client =
      transport === 'tcp'
        ? createTcpClient({ url: endpoints.valkeyUrl, connect })
        : createHttpClient({
            url: endpoints.bridgeUrl,
            token: endpoints.token,
            // The global fetch (undici), as @upstash/redis reads the stream; or floodgate/node's.
            ...(transport === 'sse-node' ? { streamFetch: nodeStreamFetch() } : {}),
          })
    const subs = Array.from({ length: count }, () => subscribe(client, channel, { maxBuffered: 1_000_000 }))
    await Promise.all(subs.map((s) => s.ready))
    for (const sub of subs) {
      void (async () => {
        for await (const { message } of sub) onMessage(message as string)
      })()
    }
    return {
      async close() {
        await Promise.all(subs.map((s) => s.close()))
        await client.close()
      },
    }
  }

const ioredis: Open = async (endpoints, channel, count, onMessage) => {
  const subs = Array.from({ length: count }, () => new IORedis(endpoints.valkeyPort, '127.0.0.1'))
  await Promise.all(subs.map((s) => s.subscribe(channel)))
  for (const sub of subs) sub.on('message', (_channel: string, message: string) => onMessage(message))
  return {
    async close() {
      await Promise.all(subs.map((s) => s.quit()))
    },
  }
}

const upstash: Open = async (endpoints, channel, count, onMessage) => {
  const redis = new Upstash({
    url: endpoints.bridgeUrl,
    token: endpoints.token,
    automaticDeserialization: false,
  })
  const subs = Array.from({ length: count }, () => redis.subscribe<string>([channel]))
  await Promise.all(subs.map((sub) => new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))))
  for (const sub of subs) sub.on('message', ({ message }) => onMessage(String(message)))
  return {
    async close() {
      await Promise.all(subs.map((s) => s.unsubscribe()))
    },
  }
}

export const contenders: Record<string, Open> = {
  'floodgate TCP': floodgate('tcp'),
  ioredis,
  'floodgate SSE': floodgate('sse'),
  'floodgate SSE nodeStreamFetch': floodgate('sse-node'),
  '@upstash/redis SSE': upstash,
}
