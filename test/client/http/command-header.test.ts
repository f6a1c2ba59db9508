/**
 * The HTTP client's commands in the `Floodgate-Command` header, against the real bridge: only
 * after the bridge has said it accepts them, only while short, with any text exact; and when a
 * server behind the same address stops reading the header (a bridge rolled back, a proxy that
 * drops it), the command is sent again in the body, and runs once.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeFetch } from '../../../adapters/node/http-fetch.ts'
import { createHttpClient } from '../../../src/client/http/client.ts'
import { COMMAND_HEADER } from '../../../src/client/http/command-header.ts'
import type { FetchLike } from '../../../src/client/http/exchange.ts'
import type { Client } from '../../../src/client/types.ts'
import { TOKEN, useBridge } from '../../bridge/support.ts'
import { useValkey } from '../../support/use-valkey.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const fast = nodeFetch()
const clients: Client[] = []
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()))
  fast.close()
})

/** How each request carried its command(s): in the header, or in a body of that many characters. */
const recording = (base: FetchLike) => {
  const sent: string[] = []
  const fetch: FetchLike = (url, init) => {
    const header = init.headers[COMMAND_HEADER]
    sent.push(header !== undefined ? `header ${new URL(url).pathname}` : `body ${new URL(url).pathname}`)
    if (header !== undefined && init.body !== undefined) throw new Error('a command in two places')
    return base(url, init)
  }
  return { fetch, sent }
}

const connect = (url: string, fetch: FetchLike) => {
  const client = createHttpClient({ url, token: TOKEN, fetch, retries: 0 })
  clients.push(client)
  return client
}

describe.each([
  ['the global fetch', globalThis.fetch as FetchLike],
  ['nodeFetch()', fast as FetchLike],
])('over %s', (_name, base) => {
  it('sends the header once the bridge has said it reads it, and the body for long commands', async () => {
    const { fetch, sent } = recording(base)
    const client = connect(bridge.url, fetch)
    const key = `ch:${crypto.randomUUID()}`
    const text = 'é, 😀, \u007f, "quotes", \\ and a tab\t'
    expect(await client.send(['SET', key, text])).toBe('OK')
    expect(await client.send(['GET', key])).toBe(text)
    expect(valkey.server.cli('STRLEN', key)).toBe(String(new TextEncoder().encode(text).length))
    const [incr, pipelined] = await Promise.all([
      client.send(['INCR', `${key}:n`]),
      client.pipeline([
        ['INCRBY', `${key}:n`, 2],
        ['GET', `${key}:n`],
      ]),
    ])
    expect([incr, pipelined]).toEqual([1, [3, '3']])
    // 8,000 characters of JSON at most go in the header; past that, the body.
    const long = 'x'.repeat(8000)
    expect(await client.send(['SET', key, long])).toBe('OK')
    expect(await client.send(['GET', key])).toBe(long)
    expect(sent).toEqual(['body /', 'header /', 'header /pipeline', 'body /', 'header /'])
  })

  /** Runs `body` with a client of its own through a proxy to the bridge, starting in `mode`. */
  const throughProxy = async (
    mode: Mode,
    body: (proxy: Proxy, client: Client, sent: string[]) => Promise<void>,
  ) => {
    const proxy = await startProxy(bridge.url)
    try {
      proxy.mode = mode
      const { fetch, sent } = recording(base)
      await body(proxy, connect(proxy.url, fetch), sent)
    } finally {
      await proxy.close()
    }
  }

  it('never sends the header to a server that does not say it reads it', () =>
    throughProxy('old', async (_proxy, client, sent) => {
      for (let i = 0; i < 3; i++) expect(await client.send(['PING'])).toBe('PONG')
      expect(sent).toEqual(['body /', 'body /', 'body /'])
    }))

  it('sends the command again in the body when the server stops reading the header, and it runs once', () =>
    throughProxy('new', async (proxy, client, sent) => {
      const key = `ch:${crypto.randomUUID()}`
      expect(await client.send(['PING'])).toBe('PONG')
      expect(await client.send(['INCR', key])).toBe(1)
      proxy.mode = 'old'
      expect(await client.send(['INCR', key])).toBe(2)
      expect(await client.send(['INCR', key])).toBe(3)
      expect(sent).toEqual(['body /', 'header /', 'header /', 'body /', 'body /'])
      expect(valkey.server.cli('GET', key)).toBe('3')
      // Back to a server that reads it: learnt again from its first answer.
      proxy.mode = 'new'
      await client.send(['GET', key])
      expect(await client.send(['GET', key])).toBe('3')
      expect(sent.slice(5)).toEqual(['body /', 'header /'])
    }))

  it('sends long commands in the body after a server in the way refused a long header', () =>
    throughProxy('refuses over 3,000', async (_proxy, client, sent) => {
      const key = `ch:${crypto.randomUUID()}`
      const value = (n: number) => 'v'.repeat(n)
      expect(await client.send(['SET', key, value(10)])).toBe('OK')
      expect(await client.send(['APPEND', key, value(5000)])).toBe(5010)
      expect(await client.send(['APPEND', key, value(10)])).toBe(5020)
      expect(await client.send(['APPEND', key, value(5000)])).toBe(10_020)
      expect(await client.send(['APPEND', key, value(2000)])).toBe(12_020)
      expect(valkey.server.cli('STRLEN', key)).toBe('12020')
      // The first 5,000 was refused and sent again with its body; the next answer says the header
      // is read, but the second 5,000 goes in the body straight away, and 2,000 in the header.
      expect(sent).toEqual(['body /', 'header /', 'body /', 'body /', 'body /', 'header /'])
    }))
})

/**
 * A proxy in front of the bridge. In 'old' mode it stands for a server that does not know the
 * header: it drops `Floodgate-Command` from requests and `floodgate-accepts` from answers, so a
 * command sent only in the header reaches the bridge as an empty body (a 400, nothing run). In
 * 'refuses over 3,000' mode it answers a longer header itself, with a 431.
 */
type Mode = 'new' | 'old' | 'refuses over 3,000'
type Proxy = Awaited<ReturnType<typeof startProxy>>

const startProxy = async (target: string) => {
  const upstream = new URL(target)
  const state = { mode: 'new' as Mode }
  const server: Server = createServer((req, res) => {
    if (state.mode === 'refuses over 3,000' && (req.headers['floodgate-command']?.length ?? 0) > 3000) {
      res.writeHead(431, { 'content-type': 'text/plain' }).end('Request Header Fields Too Large')
      return
    }
    const headers = { ...req.headers }
    if (state.mode === 'old') delete headers['floodgate-command']
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (answer) => {
        const back = { ...answer.headers }
        if (state.mode === 'old') delete back['floodgate-accepts']
        res.writeHead(answer.statusCode!, back)
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set mode(mode: Mode) {
      state.mode = mode
    },
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
