/**
 * Everything a client can get wrong gets the right status and a JSON error, and the bridge keeps
 * serving: malformed JSON, wrong shapes, huge bodies, unknown endpoints, wrong methods, missing
 * or invalid tokens, refused commands, a read-only token writing, and slow or stalled clients.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../../src/client/http/client.ts'
import { useValkey } from '../support/use-valkey.ts'
import { post, READ_TOKEN, TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey, { maxBody: 64 * 1024, headersTimeout: 500, requestTimeout: 1000 })

const stillServing = async () => {
  expect(await post(bridge.url, ['PING'])).toMatchObject({ status: 200, json: { result: 'PONG' } })
}

describe('the bridge on bad input', () => {
  it('answers malformed JSON and wrong shapes with 400 and a JSON error', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/', '["SET","k"', /not valid JSON/],
      ['/', '', /empty request body/],
      ['/', { cmd: 'GET' }, /non-empty JSON array/],
      ['/', [], /non-empty JSON array/],
      ['/', ['GET', null], /argument 1 of the command is null/],
      ['/', ['SET', 'k', { a: 1 }], /argument 2 of the command is an object/],
      ['/pipeline', ['GET', 'k'], /command 0 must be a non-empty JSON array/],
      ['/pipeline', [], /non-empty JSON array of commands/],
      ['/multi-exec', [['GET', 'k'], 'x'], /command 1 must be/],
      ['/multi-exec', '{{', /not valid JSON/],
    ]
    for (const [path, body, message] of cases) {
      const { status, json } = await post(bridge.url + path, body)
      expect(status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect((json as { error: string }).error).toMatch(message)
    }
    await stillServing()
  })

  it('answers a Valkey error on one command with 400 and its text', async () => {
    expect(await post(bridge.url, ['GET'])).toMatchObject({
      status: 400,
      json: { error: "ERR wrong number of arguments for 'get' command" },
    })
    expect(await post(bridge.url, ['NOSUCHCOMMAND'])).toMatchObject({ status: 400 })
  })

  it('answers a body over --max-body with 413, whether declared or streamed', async () => {
    const huge = JSON.stringify(['SET', 'k', 'x'.repeat(100 * 1024)])
    expect(await post(bridge.url, huge)).toMatchObject({
      status: 413,
      json: { error: 'ERR max request size exceeded' },
    })
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(8 * 1024)))
        controller.close()
      },
    })
    const response = await fetch(bridge.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: chunked,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ error: 'ERR max request size exceeded' })
    expect(valkey.server.cli('EXISTS', 'k')).toBe('0')
    await stillServing()
  })

  it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
    for (const path of ['/pipeline/extra', '/multi-exec/x', '/subscribe', '/healthz/x']) {
      const { status, json } = await post(bridge.url + path, [['PING']])
      expect(status, path).toBe(404)
      expect((json as { error: string }).error).toMatch(/unknown endpoint/)
    }
    for (const method of ['DELETE', 'PATCH', 'OPTIONS']) {
      const response = await fetch(bridge.url, { method, headers: { authorization: `Bearer ${TOKEN}` } })
      expect(response.status, method).toBe(405)
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST, PUT')
      expect(((await response.json()) as { error: string }).error).toMatch(/not allowed/)
    }
    await stillServing()
  })

  it('answers a missing or invalid token with 401, without echoing it', async () => {
    const noToken = await fetch(bridge.url, { method: 'POST', body: '["PING"]' })
    expect(noToken.status).toBe(401)
    expect(await noToken.json()).toEqual({
      error: 'NOAUTH no auth token: send Authorization: Bearer <token> (or ?_token=<token>)',
    })
    const wrong = await post(bridge.url, ['PING'], { authorization: 'Bearer wrong-token-guess' })
    expect(wrong.status).toBe(401)
    expect(JSON.stringify(wrong.json)).not.toContain('wrong-token-guess')
    expect((await post(`${bridge.url}/?_token=nope`, ['PING'], { authorization: '' })).status).toBe(401)
    expect(
      (await post(`${bridge.url}/pipeline`, [['SET', 'a', '1']], { authorization: 'Basic x' })).status,
    ).toBe(401)
    expect(valkey.server.cli('EXISTS', 'a')).toBe('0')
  })

  it('tells an SDK client that sent no token that none was given, not that it was refused', async () => {
    const none = createHttpClient({ url: bridge.url })
    await expect(none.send(['PING'])).rejects.toThrow(/needs a token and none was given \(HTTP 401\)/)
    const wrong = createHttpClient({ url: bridge.url, token: 'wrong-token-guess' })
    await expect(wrong.send(['PING'])).rejects.toThrow(/refused the token \(HTTP 401\)/)
  })

  it('accepts the token as _token in the query string', async () => {
    const response = await fetch(`${bridge.url}/echo/hi?_token=${TOKEN}`)
    expect(await response.json()).toEqual({ result: 'hi' })
  })

  it('refuses dangerous commands with 400 (as Upstash), in a pipeline item by item, and a transaction whole', async () => {
    valkey.server.cli('SET', 'keep', '1')
    expect(await post(bridge.url, ['FLUSHALL'])).toMatchObject({ status: 400 })
    expect(((await post(bridge.url, ['CONFIG', 'GET', '*'])).json as { error: string }).error).toMatch(
      /^NOPERM CONFIG is refused/,
    )
    expect(((await post(bridge.url, ['BLPOP', 'q', '0'])).json as { error: string }).error).toMatch(
      /blocking/,
    )
    expect(((await post(bridge.url, ['WATCH', 'keep'])).json as { error: string }).error).toMatch(/WATCH/)
    const pipe = await post(`${bridge.url}/pipeline`, [['INCR', 'keep'], ['FLUSHDB'], ['INCR', 'keep']])
    expect(pipe.status).toBe(200)
    expect(pipe.json).toEqual([
      { result: 2 },
      { error: expect.stringMatching(/^NOPERM FLUSHDB/) },
      { result: 3 },
    ])
    const tx = await post(`${bridge.url}/multi-exec`, [['INCR', 'keep'], ['SHUTDOWN']])
    expect(tx.status).toBe(400)
    expect((tx.json as { error: string }).error).toMatch(/^EXECABORT .*command 1: NOPERM SHUTDOWN/)
    expect(valkey.server.cli('GET', 'keep')).toBe('3')
  })

  it('discards a transaction Valkey rejects while queueing, as one 400 error', async () => {
    const tx = await post(`${bridge.url}/multi-exec`, [
      ['SET', 'tq', '1'],
      ['SET', 'tq'],
    ])
    expect(tx.status).toBe(400)
    expect((tx.json as { error: string }).error).toMatch(
      /^EXECABORT.*command 1: ERR wrong number of arguments/,
    )
    expect(valkey.server.cli('EXISTS', 'tq')).toBe('0')
  })

  it('lets a read-only token read and refuses it every write', async () => {
    valkey.server.cli('SET', 'ro', 'value')
    const ro = { authorization: `Bearer ${READ_TOKEN}` }
    expect(await post(bridge.url, ['GET', 'ro'], ro)).toMatchObject({
      status: 200,
      json: { result: 'value' },
    })
    const write = await post(bridge.url, ['SET', 'ro', 'changed'], ro)
    expect(write.status).toBe(400)
    expect((write.json as { error: string }).error).toMatch(/read-only/)
    const pipe = await post(
      `${bridge.url}/pipeline`,
      [
        ['GET', 'ro'],
        ['DEL', 'ro'],
      ],
      ro,
    )
    expect(pipe.json).toEqual([{ result: 'value' }, { error: expect.stringMatching(/read-only/) }])
    expect((await post(`${bridge.url}/multi-exec`, [['EVAL', 'return 1', '0']], ro)).status).toBe(400)
    expect(valkey.server.cli('GET', 'ro')).toBe('value')
  })

  it('answers a client that stalls in its headers or its body with a JSON 408, and keeps serving', async () => {
    const { port } = new URL(bridge.url)
    const stall = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(request))
        let data = ''
        socket.on('data', (chunk) => (data += chunk))
        socket.on('close', () => resolve(data))
        socket.on('error', reject)
        setTimeout(() => reject(new Error('the bridge never closed the stalled connection')), 8000)
      })
    const headers = await stall('POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ')
    expect(headers).toMatch(/^HTTP\/1.1 408 /)
    expect(JSON.parse(headers.slice(headers.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'ERR request timeout: the client did not send its request in time',
    })
    const body = await stall(
      `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 100\r\n\r\n["SET",`,
    )
    expect(body).toMatch(/^HTTP\/1.1 408 /)
    expect(body).toContain('"error"')
    const silent = await stall('')
    expect(silent).toMatch(/^HTTP\/1.1 408 /)
    expect(silent).toContain('the client did not send its request in time')
    const garbage = await stall('NOT HTTP AT ALL\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1.1 400 /)
    await stillServing()
  })

  it('serves /healthz without a token and /metrics with one', async () => {
    const health = await fetch(`${bridge.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect((await fetch(`${bridge.url}/metrics`)).status).toBe(401)
    const metrics = await fetch(`${bridge.url}/metrics`, {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    })
    const text = await metrics.text()
    expect(text).toMatch(/floodgate_bridge_requests_total\{endpoint="command",status="200"\} \d+/)
    expect(text).toMatch(/floodgate_bridge_requests_total\{endpoint="command",status="401"\} \d+/)
    expect(text).toMatch(/floodgate_bridge_open_connections [1-9]/)
    expect(text).toContain('floodgate_bridge_request_duration_seconds_bucket{endpoint="pipeline",le="+Inf"}')
  })

  it('runs path-style commands with query arguments appended after the raw body', async () => {
    const set = await fetch(`${bridge.url}/set/pk?EX=100`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: 'the value',
    })
    expect(await set.json()).toEqual({ result: 'OK' })
    expect(valkey.server.cli('GET', 'pk')).toBe('the value')
    expect(valkey.server.cli('TTL', 'pk')).toBe('100')
    const zadd = await fetch(`${bridge.url}/zadd/teams/100/team-x/90/team-y`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(await zadd.json()).toEqual({ result: 2 })
  })
})

describe('pipelines and transactions upstream', () => {
  const readsProcessed = () =>
    Number(/total_reads_processed:(\d+)/.exec(valkey.server.cli('INFO', 'stats'))![1])

  it('sends a /pipeline to Valkey as one write, not one round trip per command', async () => {
    const commands = Array.from({ length: 200 }, (_, i) => ['INCR', `pw:${i % 7}`])
    await post(`${bridge.url}/pipeline`, [['PING']])
    const before = readsProcessed()
    const { status, json } = await post(`${bridge.url}/pipeline`, commands)
    const after = readsProcessed()
    expect(status).toBe(200)
    expect((json as unknown[]).length).toBe(200)
    // The INFO calls themselves are reads too; 200 commands one by one would be 200 more.
    expect(after - before).toBeLessThan(6)
  })

  it('never interleaves concurrent transactions, even among concurrent pipelines', async () => {
    const requests = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? post(`${bridge.url}/multi-exec`, [
            ['INCR', 'tx:n'],
            ['GET', 'tx:n'],
            ['INCR', 'tx:n'],
            ['GET', 'tx:n'],
          ])
        : post(`${bridge.url}/pipeline`, [
            ['INCR', 'tx:n'],
            ['INCR', 'other'],
          ]),
    )
    const results = await Promise.all(requests)
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe(200)
      if (i % 2 !== 0) continue
      // Atomic: nothing ran between the transaction's own commands.
      const [a, b, c, d] = (r.json as Array<{ result: number | string }>).map((item) => Number(item.result))
      expect([b, c, d]).toEqual([a, a! + 1, a! + 1])
    }
    expect(valkey.server.cli('GET', 'tx:n')).toBe('60')
  })
})

describe('responses', () => {
  it('carry a Content-Length (one write, no chunked encoding)', async () => {
    const response = await fetch(bridge.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '["ECHO","héllo"]',
    })
    const body = await response.text()
    expect(body).toBe('{"result":"héllo"}')
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)))
    expect(response.headers.get('transfer-encoding')).toBeNull()
  })
})
