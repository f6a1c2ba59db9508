import { describe, expect, it } from 'vitest'
import { connect, nodeStreamFetch } from '../../adapters/node/index.ts'
import { createHttpClient, createTcpClient, type HttpClientOptions, subscribe } from '../../src/index.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pubsubSuite } from './suite.ts'
import { useClients } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const keep = useClients()

/** Subscribers over SSE through the bridge (with `read` added to their options), publishers over TCP. */
const sse = (read: Partial<HttpClientOptions> = {}) => ({
  subscriber: () => keep(createHttpClient({ url: bridge.url, token: TOKEN, ...read })),
  publisher: () => keep(createTcpClient({ url: valkey.url, connect })),
})

pubsubSuite('SSE through the bridge', sse())
pubsubSuite('SSE through the bridge, read with nodeStreamFetch', sse({ streamFetch: nodeStreamFetch() }))

describe('pub/sub over SSE, refusals', () => {
  it('ends with a ConfigError for shard channels, which the HTTP contract does not carry', async () => {
    const sub = subscribe(createHttpClient({ url: bridge.url, token: TOKEN }), 'x', { sharded: true })
    await expect(sub.ready).rejects.toMatchObject({ name: 'ConfigError' })
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toMatchObject({ name: 'ConfigError' })
  })

  it("ends with the bridge's refusal for a wrong token, without retrying", async () => {
    const errors: unknown[] = []
    const sub = subscribe(createHttpClient({ url: bridge.url, token: 'wrong-token-0123456789' }), 'x', {
      onError: ({ error }) => errors.push(error),
    })
    await expect(sub.ready).rejects.toMatchObject({ name: 'ReplyError', code: 'WRONGPASS' })
    expect(errors).toEqual([])
  })

  it("reads the bridge's refusal through nodeStreamFetch too", async () => {
    const client = createHttpClient({
      url: bridge.url,
      token: 'wrong-token-0123456789',
      streamFetch: nodeStreamFetch(),
    })
    const sub = subscribe(client, 'x')
    await expect(sub.ready).rejects.toMatchObject({ name: 'ReplyError', code: 'WRONGPASS' })
  })
})

describe('pub/sub over SSE, one stream per channel per client', () => {
  it('serves the subscriptions of one client from one stream, and a pausing one from its own', async () => {
    const opened: string[] = []
    const client = keep(
      createHttpClient({
        url: bridge.url,
        token: TOKEN,
        streamFetch: (url, init) => {
          opened.push(new URL(url).pathname)
          return fetch(url, init)
        },
      }),
    )
    const publisher = keep(createTcpClient({ url: valkey.url, connect }))
    const subs = [
      subscribe(client, 'shared-sse'),
      subscribe(client, 'shared-sse'),
      subscribe(client, 'shared-sse', { overflow: 'pause' }),
    ]
    await Promise.all(subs.map((s) => s.ready))
    const readers = subs.map((s) => s[Symbol.asyncIterator]())
    expect(opened).toEqual(['/subscribe/shared-sse', '/subscribe/shared-sse'])
    await publisher.send(['PUBLISH', 'shared-sse', 'one'])
    const firsts = await Promise.all(readers.map((r) => r.next()))
    expect(firsts.map((r) => r.value?.message)).toEqual(['one', 'one', 'one'])
    // One leaves: the others go on hearing the channel on the same stream.
    await subs[0]!.close()
    await publisher.send(['PUBLISH', 'shared-sse', 'two'])
    const seconds = await Promise.all(readers.slice(1).map((r) => r.next()))
    expect(seconds.map((r) => r.value?.message)).toEqual(['two', 'two'])
    expect(opened).toHaveLength(2)
    await Promise.all(subs.map((s) => s.close()))
  })
})
