/**
 * The HTTP transport against the real bridge in front of a real valkey-server: the shared client
 * suite (base64 on and off, global fetch and nodeFetch, and a wrapped @upstash/redis instance),
 * then what only HTTP has: auto-pipelining counted at the bridge, the sync token, 401, the
 * read-only token, timeouts and retries against a paused Valkey.
 */
import { Redis } from '@upstash/redis'
import { afterAll, describe, expect, it } from 'vitest'
import { nodeFetch } from '../../../adapters/node/http-fetch.ts'
import { clientFromEnv, createClient } from '../../../src/client/create-client.ts'
import { createHttpClient, type HttpClientOptions } from '../../../src/client/http/client.ts'
import type { FetchLike } from '../../../src/client/http/exchange.ts'
import { fromUpstashRedis } from '../../../src/client/http/upstash-redis.ts'
import type { Client } from '../../../src/client/types.ts'
import { ConfigError, ReplyError, TimeoutError } from '../../../src/errors.ts'
import { READ_TOKEN, TOKEN, useBridge } from '../../bridge/support.ts'
import { useValkey } from '../../support/use-valkey.ts'
import { clientSuite } from '../client.suite.ts'
import { vitestAssert } from '../vitest-assert.ts'

const BINARY_CASE = 'binary values round-trip as bytes with { bytes: true }'
const BOM_CASE = 'a value that starts with U+FEFF keeps it (no byte-order mark is stripped)'

/** A fetch that records each request's path and headers and each response's headers. */
const recording = (base: FetchLike = globalThis.fetch as FetchLike) => {
  const calls: Array<{ url: string; sent: Record<string, string>; received: string | null }> = []
  const fetch: FetchLike = async (url, init) => {
    const response = await base(url, init)
    calls.push({ url, sent: init.headers, received: response.headers.get('upstash-sync-token') })
    return response
  }
  return { fetch, calls }
}

/** The bridge's request counter for one endpoint and status, read from its /metrics. */
const bridgeRequests = async (url: string, endpoint: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
  const match = new RegExp(
    `floodgate_bridge_requests_total\\{endpoint="${endpoint}",status="200"\\} (\\d+)`,
  ).exec(text)
  return match ? Number(match[1]) : 0
}

describe('the HTTP client against the bridge and Valkey', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  const fast = nodeFetch()
  const clients: Client[] = []
  const connect = (options: Partial<HttpClientOptions> = {}) => {
    const client = createHttpClient({ url: bridge.url, token: TOKEN, ...options })
    clients.push(client)
    return client
  }
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()))
    fast.close()
  })

  const runs: Array<[string, () => Client, (name: string) => boolean]> = [
    ['base64 responses, global fetch', () => connect(), () => true],
    ['base64 responses, nodeFetch()', () => connect({ fetch: fast }), () => true],
    // Plain JSON cannot carry invalid UTF-8 in a reply (the server substitutes U+FFFD), by design of
    // that encoding; the exact-bytes case runs in the two base64 runs above.
    ['JSON responses', () => connect({ responseEncoding: 'json' }), (name) => name !== BINARY_CASE],
    // @upstash/redis decodes replies to strings itself (with a TextDecoder that drops a leading
    // U+FEFF) and sends arguments as JSON only: those two cases are beyond what a wrapper can mend.
    [
      'a wrapped @upstash/redis instance',
      () => fromUpstashRedis(new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })),
      (name) => name !== BINARY_CASE && name !== BOM_CASE,
    ],
  ]
  for (const [label, make, applies] of runs) {
    describe(`the client suite over HTTP: ${label}`, () => {
      let client: Client | undefined
      const get = () => {
        client ??= make()
        return client
      }
      for (const testCase of clientSuite.filter((c) => applies(c.name))) {
        it(testCase.name, () => testCase.run(get(), vitestAssert))
      }
    })
  }

  it('replaces invalid UTF-8 with U+FFFD under JSON responses, and keeps it exact under base64', async () => {
    const key = `json:${crypto.randomUUID()}`
    await connect().send(['SET', key, Uint8Array.from([0x61, 0xff, 0x62])])
    expect(await connect({ responseEncoding: 'json' }).send(['GET', key])).toBe('a\uFFFDb')
    expect(await connect().send(['GET', key], { bytes: true })).toEqual(Uint8Array.from([0x61, 0xff, 0x62]))
  })

  it('sends the commands of one tick as one /pipeline request, counted at the bridge', async () => {
    const { fetch, calls } = recording()
    const client = connect({ fetch })
    const key = `ap:${crypto.randomUUID()}`
    const pipelinesBefore = await bridgeRequests(bridge.url, 'pipeline')
    const replies = await Promise.all([
      ...Array.from({ length: 20 }, () => client.send(['INCR', key])),
      client.pipeline([
        ['GET', key],
        ['TTL', key],
      ]),
    ])
    expect(replies.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(replies[20]).toEqual(['20', -1])
    expect(calls.map((call) => new URL(call.url).pathname)).toEqual(['/pipeline'])
    expect((await bridgeRequests(bridge.url, 'pipeline')) - pipelinesBefore).toBe(1)
    expect(await client.send(['GET', key])).toBe('20')
    expect(new URL(calls[1]!.url).pathname).toBe('/')
  })

  it('sends one request per call with autoPipeline off', async () => {
    const { fetch, calls } = recording()
    const client = connect({ fetch, autoPipeline: false })
    const key = `noap:${crypto.randomUUID()}`
    await Promise.all(Array.from({ length: 5 }, () => client.send(['INCR', key])))
    expect(calls).toHaveLength(5)
    expect(await client.send(['GET', key])).toBe('5')
  })

  it('carries the upstash-sync-token of each response into the next request', async () => {
    const { fetch, calls } = recording()
    const client = connect({ fetch })
    const key = `sync:${crypto.randomUUID()}`
    await client.send(['SET', key, '1'])
    await client.send(['INCR', key])
    await client.send(['GET', key])
    expect(calls[0]!.sent['upstash-sync-token']).toBeUndefined()
    expect(calls[0]!.received).toMatch(/.+/)
    expect(calls[1]!.received).not.toBe(calls[0]!.received)
    expect(calls[1]!.sent['upstash-sync-token']).toBe(calls[0]!.received)
    expect(calls[2]!.sent['upstash-sync-token']).toBe(calls[1]!.received)
    expect(client.syncToken).toBe(calls[2]!.received)
    const { fetch: fetch2, calls: calls2 } = recording()
    await connect({ fetch: fetch2, readYourWrites: false }).send(['GET', key])
    await connect({ fetch: fetch2, readYourWrites: false }).send(['GET', key])
    expect(calls2.map((call) => call.sent['upstash-sync-token'])).toEqual([undefined, undefined])
  })

  it('turns a wrong token into a ConfigError that does not contain it', async () => {
    const wrong = 'not-the-token-9f8e7d6c5b4a'
    const error = await connect({ token: wrong })
      .send(['GET', 'k'])
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).not.toContain(wrong)
    await expect(connect({ token: undefined }).send(['GET', 'k'])).rejects.toBeInstanceOf(ConfigError)
  })

  it('lets a read-only token read and refuses its writes with a NOPERM ReplyError', async () => {
    const key = `ro:${crypto.randomUUID()}`
    await connect().send(['SET', key, 'v'])
    const reader = connect({ token: READ_TOKEN })
    expect(await reader.send(['GET', key])).toBe('v')
    const error = await reader.send(['SET', key, 'w']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReplyError)
    expect((error as ReplyError).code).toBe('NOPERM')
    expect(await reader.send(['GET', key])).toBe('v')
  })

  it('is what createClient and clientFromEnv build for an http:// URL, token in the URL or the env', async () => {
    const key = `create:${crypto.randomUUID()}`
    const inUrl = createClient(bridge.url.replace('http://', `http://:${TOKEN}@`))
    clients.push(inUrl)
    expect(inUrl.kind).toBe('http')
    expect(await inUrl.send(['SET', key, 'v'])).toBe('OK')
    const fromEnv = clientFromEnv({ FLOODGATE_URL: bridge.url, FLOODGATE_TOKEN: TOKEN })
    clients.push(fromEnv)
    expect(await fromEnv.send(['GET', key])).toBe('v')
  })

  it('wraps an @upstash/redis instance: its token and sync token, errors typed, the command text dropped', async () => {
    const redis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })
    const client = fromUpstashRedis(redis)
    const key = `wrap:${crypto.randomUUID()}`
    expect(await client.send(['SET', key, '{"json":"stays a string"}'])).toBe('OK')
    const before = redis.readYourWritesSyncToken
    expect(await client.send(['GET', key])).toBe('{"json":"stays a string"}')
    expect(redis.readYourWritesSyncToken).not.toBe(before)
    const wrong = fromUpstashRedis(
      new Redis({ url: bridge.url, token: 'wrong-token-1234567890', enableTelemetry: false }),
    )
    const error = await wrong.send(['SET', key, 'secret value']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).not.toContain('wrong-token')
    expect((error as Error).message).not.toContain('secret value')
    expect(() => fromUpstashRedis({})).toThrow(TypeError)
    expect(() => fromUpstashRedis(redis, { timeout: 0 })).toThrow(/timeout must be a positive/)
  })

  it('stores a binary value sent by send() exactly, and reads it back as bytes', async () => {
    const key = `raw:${crypto.randomUUID()}`
    const value = Uint8Array.from({ length: 256 }, (_, i) => 255 - i)
    const client = connect({ fetch: fast })
    expect(await client.send(['SET', key, value, 'PX', 60_000])).toBe('OK')
    expect(await client.send(['GET', key], { bytes: true })).toEqual(value)
    const ttl = (await client.send(['PTTL', key])) as number
    expect(ttl > 0 && ttl <= 60_000).toBe(true)
    expect(valkey.server.cli('STRLEN', key)).toBe('256')
  })
})

describe('the HTTP client against the bridge in front of a paused Valkey', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey, { upstreamTimeout: 300 })

  it('rejects with TimeoutError at its own deadline, and works again once Valkey resumes', async () => {
    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    expect(await client.send(['PING'])).toBe('PONG')
    valkey.server.pause()
    try {
      const started = Date.now()
      await expect(client.send(['GET', 'k'], { timeout: 150 })).rejects.toBeInstanceOf(TimeoutError)
      expect(Date.now() - started).toBeLessThan(150 + 2000)
    } finally {
      valkey.server.resume()
    }
    await expect.poll(() => client.send(['PING']).catch(() => 'retry'), { timeout: 10_000 }).toBe('PONG')
    await client.close()
  })

  it('never resends a write after the bridge answered 504, but retries a read', async () => {
    const { fetch, calls } = recording()
    const client = createHttpClient({ url: bridge.url, token: TOKEN, fetch, retries: 2, backoff: () => 10 })
    const key = `once:${crypto.randomUUID()}`
    expect(await client.send(['PING'])).toBe('PONG')
    valkey.server.pause()
    try {
      await expect(client.send(['INCR', key])).rejects.toBeInstanceOf(TimeoutError)
      expect(calls).toHaveLength(2)
      await expect(client.send(['GET', key])).rejects.toBeInstanceOf(TimeoutError)
      expect(calls).toHaveLength(2 + 3)
    } finally {
      valkey.server.resume()
    }
    // The one INCR may still have run once Valkey woke up; it never ran twice.
    await expect.poll(() => client.send(['PING']).catch(() => 'retry'), { timeout: 10_000 }).toBe('PONG')
    expect([null, '1']).toContain(await client.send(['GET', key]))
    await client.close()
  })
})
