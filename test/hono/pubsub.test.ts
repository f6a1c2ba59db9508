import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { sseRelay } from '../../src/hono/index.ts'
import { createMemoryClient, createTcpClient, publish } from '../../src/index.ts'
import { until } from '../pubsub/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()

/** Reads the SSE body until `done(text)` says enough. */
const readUntil = async (body: ReadableStream<Uint8Array>, done: (text: string) => boolean) => {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  while (!done(text)) {
    const { value, done: ended } = await reader.read()
    if (ended) break
    text += decoder.decode(value, { stream: true })
  }
  reader.releaseLock()
  return text
}

describe('sseRelay', () => {
  it('relays a channel as SSE events, payload lines intact, and unsubscribes when the browser leaves', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const app = new Hono().get(
      '/rooms/:room',
      sseRelay({ client, channels: (c) => [`room:${c.req.param('room')}`], heartbeat: 50 }),
    )
    const response = await app.request('/rooms/7')
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    await until(async () => (await client.send(['PUBSUB', 'NUMSUB', 'room:7']))?.toString() === 'room:7,1')
    await publish(client, 'room:7', 'hello\nworld')
    const text = await readUntil(response.body!, (t) => t.includes('world') && t.includes(': keep-alive'))
    expect(text).toContain('event: message\ndata: hello\ndata: world\n\n')
    await response.body!.cancel() // the browser went away
    await until(async () => (await client.send(['PUBSUB', 'NUMSUB', 'room:7']))?.toString() === 'room:7,0')
    await client.close()
  })

  it('names the channel in the event when several are relayed', async () => {
    const client = createMemoryClient()
    const app = new Hono().get('/feed', sseRelay({ client, channels: ['a', 'b'] }))
    const response = await app.request('/feed')
    await until(async () => (await publish(client, 'a', 'probe')) === 1)
    await publish(client, 'b', 'bee')
    const text = await readUntil(response.body!, (t) => t.includes('bee'))
    expect(text).toContain('event: a\ndata: probe\n\n')
    expect(text).toContain('event: b\ndata: bee\n\n')
    await response.body!.cancel() // the browser went away
    await until(async () => (await publish(client, 'a', 'x')) === 0)
  })

  it('in durable mode sends entry ids and resumes after the Last-Event-ID the browser sends back', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const first = (await publish(client, 'ledger', 'one', { durable: true })) as string
    const second = (await publish(client, 'ledger', 'two', { durable: true })) as string
    await publish(client, 'ledger', 'three', { durable: true })
    const app = new Hono().get(
      '/ledger',
      sseRelay({ client, channels: ['ledger'], subscribe: { durable: true } }),
    )
    const response = await app.request('/ledger', { headers: { 'last-event-id': first } })
    const text = await readUntil(response.body!, (t) => t.includes('three'))
    expect(text).toContain(`event: message\ndata: two\nid: ${second}\n\n`)
    expect(text).not.toContain('data: one')
    await response.body!.cancel()
    await client.close()
  })
})
