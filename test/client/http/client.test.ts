/**
 * The HTTP transport's edge cases, against small purpose-written HTTP servers that misbehave on
 * demand (never answer, drop the connection, 5xx, malformed JSON). Behaviour against Valkey itself
 * is tested through the real bridge in http-bridge.test.ts.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { nodeFetch } from '../../../adapters/node/http-fetch.ts'
import { createHttpClient as create, type HttpClientOptions } from '../../../src/client/http/client.ts'
import type { FetchLike } from '../../../src/client/http/exchange.ts'
import { defineScript } from '../../../src/client/script.ts'
import { ConfigError, ProtocolError, ReplyError, TimeoutError, TransportError } from '../../../src/errors.ts'
import { json, startHttpServer, type TestHttpServer } from '../../support/http-server.ts'
import { freePort } from '../../support/valkey.ts'

const TOKEN = 'super-secret-token-5f1c'
const servers: TestHttpServer[] = []
const serve = async (...args: Parameters<typeof startHttpServer>) => {
  const server = await startHttpServer(...args)
  servers.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const b64 = (text: string) => Buffer.from(text).toString('base64')

const fast = nodeFetch()
afterAll(() => fast.close())

describe.each([
  ['the global fetch', globalThis.fetch as FetchLike],
  ['nodeFetch()', fast],
])('createHttpClient over %s, against a misbehaving server', (_name, baseFetch) => {
  /** A fetch that counts its calls and passes them on. */
  const counting = () => {
    const calls: string[] = []
    const fetch: FetchLike = (url, init) => {
      calls.push(url)
      return baseFetch(url, init)
    }
    return { fetch, calls }
  }
  const createHttpClient = (options: HttpClientOptions) => create({ fetch: baseFetch, ...options })

  it('rejects with TimeoutError when the server never answers, within the timeout plus slack', async () => {
    const server = await serve(() => {})
    const client = createHttpClient({ url: server.url, timeout: 200 })
    const started = Date.now()
    const error = await client.send(['GET', 'k']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).code).toBe('ERR_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(200 + 1500)
  })

  it('times each call on the default timeout from when it was issued, not from the oldest call waiting', async () => {
    // The first request is answered when the second arrives; the second 1 s after that, which is
    // past the first call's deadline but within its own.
    let answerFirst: (() => void) | undefined
    const server = await serve((req, res) => {
      const key = (JSON.parse(req.body) as string[][])[0]![1]
      const answer = () => json(res, 200, [{ result: key }])
      if (key === 'first') answerFirst = answer
      else {
        answerFirst?.()
        setTimeout(answer, 1000)
      }
    })
    const client = createHttpClient({ url: server.url, timeout: 1500, responseEncoding: 'json' })
    const first = client.pipeline([['GET', 'first']])
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const second = client.pipeline([['GET', 'second']])
    expect(await first).toEqual(['first'])
    expect(await second).toEqual(['second'])
  })

  it('honours a per-call timeout and an abort signal while other calls in the batch still answer', async () => {
    const server = await serve((req, res) => {
      const commands = JSON.parse(req.body) as string[][]
      setTimeout(
        () =>
          json(
            res,
            200,
            commands.map(() => ({ result: 'OK' })),
          ),
        300,
      )
    })
    const client = createHttpClient({ url: server.url, responseEncoding: 'json' })
    const controller = new AbortController()
    const results = Promise.allSettled([
      client.send(['SET', 'a', '1'], { timeout: 50 }),
      client.send(['SET', 'b', '1'], { signal: controller.signal }),
      client.send(['SET', 'c', '1']),
    ])
    controller.abort(new Error('user went away'))
    const [a, b, c] = await results
    expect(a.status === 'rejected' && a.reason).toBeInstanceOf(TimeoutError)
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(TimeoutError)
    expect(c).toEqual({ status: 'fulfilled', value: 'OK' })
    expect(server.requests).toHaveLength(1)
  })

  it('batches the concurrent first calls of a new script into one request (one SHA1 digest for all)', async () => {
    const server = await serve((req, res) => {
      const commands = JSON.parse(req.body) as string[][]
      json(
        res,
        200,
        commands.map(([name]) =>
          name === 'EVALSHA' ? { error: 'NOSCRIPT No matching script.' } : { result: 1 },
        ),
      )
    })
    const client = createHttpClient({ url: server.url, responseEncoding: 'json' })
    const script = defineScript({ name: 'one', lua: 'return 1' })
    const replies = await Promise.all(Array.from({ length: 20 }, () => client.eval(script, [], [])))
    expect(replies).toEqual(Array.from({ length: 20 }, () => 1))
    // 20 EVALSHA in one request, then 20 EVAL in one: before, each call digested the script on
    // its own, resumed alone and went out as a request of its own (40 requests).
    expect(server.requests.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([20, 20])
  })

  it('turns HTTP 401 into a ConfigError whose message never holds the token', async () => {
    const server = await serve((req, res) =>
      json(res, 401, { error: `WRONGPASS ${req.headers.authorization}` }),
    )
    const client = createHttpClient({ url: server.url, token: TOKEN })
    const error = await client.send(['GET', 'k']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(/HTTP 401/)
    expect((error as Error).message).not.toContain(TOKEN)
    expect(JSON.stringify(error)).not.toContain(TOKEN)
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('accepts the token as the URL password and never shows it in errors', async () => {
    const server = await serve((_req, res) => json(res, 503, { error: 'upstream down' }))
    const client = createHttpClient({ url: `http://:${TOKEN}@127.0.0.1:${server.port}`, retries: 0 })
    const error = await client.send(['SET', 'k', 'v']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toContain('HTTP 503')
    expect((error as Error).message).not.toContain(TOKEN)
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('maps 5xx to TransportError, 504 to TimeoutError and a 400 JSON error to ReplyError with its code', async () => {
    const statuses = [500, 504, 400]
    const server = await serve((_req, res) => {
      const status = statuses.shift()!
      json(res, status, { error: status === 400 ? 'WRONGTYPE Operation against a key' : 'busy' })
    })
    const client = createHttpClient({ url: server.url, retries: 0 })
    await expect(client.send(['INCR', 'k'])).rejects.toBeInstanceOf(TransportError)
    await expect(client.send(['INCR', 'k'])).rejects.toBeInstanceOf(TimeoutError)
    const error = await client.send(['INCR', 'k']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReplyError)
    expect((error as ReplyError).code).toBe('WRONGTYPE')
  })

  it('turns malformed JSON, a result-less object and a short pipeline into ProtocolError', async () => {
    const bodies = ['{"result":', '{"nothing":1}', '[{"result":1}]']
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(bodies.shift())
    })
    const client = createHttpClient({ url: server.url })
    await expect(client.send(['GET', 'k'])).rejects.toBeInstanceOf(ProtocolError)
    await expect(client.send(['GET', 'k'])).rejects.toBeInstanceOf(ProtocolError)
    await expect(
      client.pipeline([
        ['GET', 'a'],
        ['GET', 'b'],
      ]),
    ).rejects.toBeInstanceOf(ProtocolError)
  })

  it('retries a write whose connection was refused, and succeeds once the server is up', async () => {
    const port = await freePort()
    const { createServer } = await import('node:http')
    const server = createServer((_req, res) => json(res, 200, { result: 1 }))
    // The server comes up once the first attempt was refused, however long that took: no race
    // between a sleep and the client's backoff on a loaded machine.
    const refused: unknown[] = []
    const fetch: FetchLike = async (url, init) => {
      try {
        return await baseFetch(url, init)
      } catch (error) {
        refused.push(error)
        if (!server.listening) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
        throw error
      }
    }
    const client = createHttpClient({
      url: `http://127.0.0.1:${port}`,
      fetch,
      responseEncoding: 'json',
      retries: 20,
      backoff: () => 100,
    })
    try {
      expect(await client.send(['INCR', 'k'])).toBe(1)
      expect(refused).toHaveLength(1)
    } finally {
      server.close()
    }
  })

  it('gives up on a refused connection after 1 + retries attempts with a TransportError', async () => {
    const port = await freePort()
    const { fetch, calls } = counting()
    const client = createHttpClient({ url: `http://127.0.0.1:${port}`, fetch, retries: 2, backoff: () => 1 })
    const error = await client.send(['INCR', 'k']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toBe(
      `could not reach http://127.0.0.1:${port} (ECONNREFUSED): fetch failed`,
    )
    expect(calls).toHaveLength(3)
  })

  it('never retries a write once the request was sent (connection dropped), but retries a read', async () => {
    const server = await serve((_req, _res, socket) => socket.destroy())
    const client = createHttpClient({ url: server.url, retries: 2, backoff: () => 1 })
    const write = await client.send(['INCR', 'k']).catch((e: unknown) => e)
    expect(write).toBeInstanceOf(TransportError)
    expect(server.requests).toHaveLength(1)
    const read = await client.send(['GET', 'k']).catch((e: unknown) => e)
    expect(read).toBeInstanceOf(TransportError)
    expect(server.requests).toHaveLength(1 + 3)
  })

  it('retries a 503 only when every command of the request is read-only', async () => {
    const server = await serve((_req, res) => json(res, 503, { error: 'ERR upstream unavailable' }))
    const client = createHttpClient({ url: server.url, retries: 1, backoff: () => 1 })
    await expect(
      client.pipeline([
        ['GET', 'a'],
        ['INCR', 'b'],
      ]),
    ).rejects.toBeInstanceOf(TransportError)
    expect(server.requests).toHaveLength(1)
    await expect(
      client.pipeline([
        ['GET', 'a'],
        ['TTL', 'b'],
      ]),
    ).rejects.toBeInstanceOf(TransportError)
    expect(server.requests).toHaveLength(3)
  })

  it('never retries a reply error or a timeout', async () => {
    const server = await serve((req, res) => {
      if (req.body.includes('slow')) return
      json(res, 400, { error: 'ERR unknown command' })
    })
    const { fetch, calls } = counting()
    const client = createHttpClient({ url: server.url, fetch, retries: 3, backoff: () => 1 })
    await expect(client.send(['GET', 'x'])).rejects.toBeInstanceOf(ReplyError)
    await expect(client.send(['GET', 'slow'], { timeout: 100 })).rejects.toBeInstanceOf(TimeoutError)
    // Counted where the client sends, not where the server receives: on a loaded machine the
    // 100 ms deadline can abort the slow request before the server has read all of it.
    expect(calls).toHaveLength(2)
  })

  it('decodes base64 results to exact strings and bytes, leaving OK, integers and null alone', async () => {
    const raw = Uint8Array.from([0xff, 0x00, 0xc3, 0x28])
    const answers: Record<string, unknown> = {
      SET: { result: 'OK' },
      k: { result: b64('héllo ✓') },
      bin: { result: Buffer.from(raw).toString('base64') },
      EVAL: { result: [7, null, [b64('PONG')]] },
      EVALSHA: { error: 'NOSCRIPT No matching script.' },
    }
    const server = await serve((req, res) => {
      const commands = JSON.parse(req.body) as string[][]
      json(
        res,
        200,
        commands.map(([name, key]) => answers[name!] ?? answers[key!]),
      )
    })
    const client = createHttpClient({ url: server.url })
    const commands = [
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['GET', 'bin'],
      ['EVAL', 'x', 0],
      ['EVALSHA', 'abc', 0],
    ]
    const replies = await client.pipeline(commands)
    expect(replies.slice(0, 4)).toEqual(['OK', 'héllo ✓', new TextDecoder().decode(raw), [7, null, ['PONG']]])
    expect(replies[4]).toBeInstanceOf(ReplyError)
    expect((replies[4] as ReplyError).code).toBe('NOSCRIPT')
    const bytes = await client.pipeline(commands.slice(1, 3), { bytes: true })
    expect(bytes).toEqual([new TextEncoder().encode('héllo ✓'), raw])
    expect(server.requests.map((r) => r.headers['upstash-encoding'])).toEqual(['base64', 'base64'])
  })

  it('rejects arguments it cannot carry with a TypeError, sending nothing', async () => {
    const server = await serve((_req, res) => json(res, 200, { result: 'OK' }))
    const client = createHttpClient({ url: server.url })
    const binary = Uint8Array.from([0xff, 0x00, 0xfe])
    await expect(client.pipeline([['SET', 'k', binary]])).rejects.toThrow(/not valid UTF-8/)
    await expect(client.send(['MSET', 'a', binary, 'b', binary])).rejects.toThrow(/more than one/)
    await expect(client.send(['SET', '', binary, ''])).rejects.toThrow(/empty string/)
    await expect(client.send([])).rejects.toBeInstanceOf(TypeError)
    await expect(client.send(['SET', 'k', {} as unknown as string])).rejects.toThrow(/received object/)
    expect(server.requests).toHaveLength(0)
    expect(await client.send(['SET', 'k', new TextEncoder().encode('ok ✓'), 'PX', 100])).toBe('OK')
    expect(JSON.parse(server.requests[0]!.body)).toEqual(['SET', 'k', 'ok ✓', 'PX', '100'])
  })

  it('sends one binary argument as the raw body of a path-style request', async () => {
    const server = await serve((_req, res) => json(res, 200, { result: 'OK' }))
    const client = createHttpClient({ url: `${server.url}/base/` })
    const binary = Uint8Array.from([0xff, 0x00, 0xfe, 0x26])
    expect(await client.send(['SET', 'a/b c&d', binary, 'PX', 1000])).toBe('OK')
    const [request] = server.requests
    expect(request!.path).toBe('/base/SET/a%2Fb%20c%26d?PX&1000')
    expect(new Uint8Array(request!.raw)).toEqual(binary)
    expect(request!.headers['content-type']).toBe('application/octet-stream')
  })

  it('splits one tick of commands into requests of at most maxPipeline commands, in order', async () => {
    const server = await serve((req, res) => {
      const commands =
        req.path === '/pipeline' ? (JSON.parse(req.body) as string[][]) : [JSON.parse(req.body)]
      const results = commands.map((command: string[]) => ({ result: Number(command[1]) }))
      json(res, 200, req.path === '/pipeline' ? results : results[0])
    })
    const client = createHttpClient({ url: server.url, maxPipeline: 3 })
    const replies = await Promise.all(Array.from({ length: 7 }, (_, i) => client.send(['ECHO', i])))
    expect(replies).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(server.requests.map((r) => [r.path, r.body])).toEqual([
      ['/pipeline', '[["ECHO","0"],["ECHO","1"],["ECHO","2"]]'],
      ['/pipeline', '[["ECHO","3"],["ECHO","4"],["ECHO","5"]]'],
      ['/', '["ECHO","6"]'],
    ])
  })

  it('sends a tick of large values in requests of about maxPipelineBytes, in order, a larger one alone', async () => {
    const server = await serve((req, res) => {
      const commands =
        req.path === '/pipeline' ? (JSON.parse(req.body) as string[][]) : [JSON.parse(req.body)]
      const results = commands.map((command: string[]) => ({ result: command[2]!.length }))
      json(res, 200, req.path === '/pipeline' ? results : results[0])
    })
    const client = createHttpClient({ url: server.url, maxPipelineBytes: 10_000 })
    const sizes = [4000, 4000, 4000, 100, 30_000, 10, 10]
    const replies = await Promise.all(sizes.map((n, i) => client.send(['SET', `k${i}`, 'x'.repeat(n)])))
    expect(replies).toEqual(sizes)
    // 4000 + 4000 fit; the third would pass 10,000 and opens the next request; the 30,000 one
    // goes alone, after what was queued before it.
    const shape = server.requests.map((r) =>
      r.path === '/pipeline' ? `pipeline of ${(JSON.parse(r.body) as unknown[]).length}` : 'alone',
    )
    expect(shape).toEqual(['pipeline of 2', 'pipeline of 2', 'alone', 'pipeline of 2'])
    expect(() => createHttpClient({ url: server.url, maxPipelineBytes: 0 })).toThrow(/maxPipelineBytes/)
  })

  it('validates its options with TypeErrors that say what to pass', () => {
    expect(() => createHttpClient({ url: 'redis://127.0.0.1:6379' })).toThrow(/http:\/\/ or https:\/\//)
    expect(() => createHttpClient({ url: 'not a url' })).toThrow(TypeError)
    expect(() => createHttpClient({ url: 'http://x', timeout: -1 })).toThrow(/timeout must be a positive/)
    expect(() => createHttpClient({ url: 'http://x', retries: 1.5 })).toThrow(/retries/)
    expect(() => createHttpClient({ url: 'http://x', responseEncoding: 'hex' as 'json' })).toThrow(
      /responseEncoding/,
    )
    expect(() => createHttpClient({ url: 'http://x', token: '' })).toThrow(/token/)
  })

  it('rejects a per-call timeout that is not a positive number, sending nothing', async () => {
    const server = await serve((_req, res) => json(res, 200, { result: 'OK' }))
    const client = createHttpClient({ url: server.url })
    await expect(client.send(['GET', 'k'], { timeout: Number.NaN })).rejects.toThrow(
      /timeout must be a positive/,
    )
    await expect(client.pipeline([['GET', 'k']], { timeout: 0 })).rejects.toBeInstanceOf(TypeError)
    expect(server.requests).toHaveLength(0)
  })

  it('answers what was sent before close() and refuses commands after it', async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, { result: b64('v') }), 50))
    const client = createHttpClient({ url: server.url })
    const pending = client.send(['GET', 'k'])
    await client.close()
    expect(await pending).toBe('v')
    await expect(client.send(['GET', 'k'])).rejects.toBeInstanceOf(TransportError)
  })
})

describe('createHttpClient: requests per tick', () => {
  it("takes the fetch's own maxPipeline as the default (nodeFetch: 25), else 1000", async () => {
    const server = await serve((req, res) => {
      const commands = JSON.parse(req.body) as string[][]
      json(
        res,
        200,
        commands.map((command) => ({ result: Number(command[1]) })),
      )
    })
    const tick = async (client: ReturnType<typeof create>) => {
      const before = server.requests.length
      const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => client.send(['ECHO', i])))
      expect(replies).toEqual(Array.from({ length: 60 }, (_, i) => i))
      return server.requests.slice(before).map((r) => (JSON.parse(r.body) as unknown[]).length)
    }
    const fetch = nodeFetch()
    try {
      expect(fetch.maxPipeline).toBe(25)
      expect(await tick(create({ url: server.url, fetch }))).toEqual([25, 25, 10])
      expect(await tick(create({ url: server.url }))).toEqual([60])
      // A fetch of your own without the hint gets 1000 too; the option still wins over the hint.
      expect(
        await tick(create({ url: server.url, fetch: (url, init) => globalThis.fetch(url, init) })),
      ).toEqual([60])
      expect(await tick(create({ url: server.url, fetch, maxPipeline: 40 }))).toEqual([40, 20])
    } finally {
      fetch.close()
    }
  })
})
