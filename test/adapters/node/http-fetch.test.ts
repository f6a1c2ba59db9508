/**
 * `nodeFetch()`: the keep-alive HTTP/1.1 fetch for Node. Against node:http and node:https servers
 * (chunked and Content-Length bodies) and a raw TCP server that sends a response one byte at a time.
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type Server } from 'node:net'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { nodeFetch } from '../../../adapters/node/http-fetch.ts'
import { startHttpServer, type TestHttpServer } from '../../support/http-server.ts'

const fetch = nodeFetch({ maxSockets: 2 })
afterAll(() => fetch.close())
const servers: TestHttpServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
const serve = async (...args: Parameters<typeof startHttpServer>) => {
  const server = await startHttpServer(...args)
  servers.push(server)
  return server
}
const post = (url: string, body = '[]', headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers, body, signal: new AbortController().signal })

describe('nodeFetch', () => {
  it('reads chunked and Content-Length bodies, status and headers, over one kept-alive connection', async () => {
    const ports = new Set<number>()
    const server = await serve((req, res, socket) => {
      ports.add(socket.remotePort!)
      res.setHeader('x-echo', req.headers['x-in'] ?? '')
      if (req.path === '/chunked') {
        res.writeHead(201)
        res.write('{"result":')
        setTimeout(() => res.end('"héllo ✓"}'), 5)
      } else {
        const body = Buffer.from(req.body)
        res.writeHead(200, { 'content-length': body.length })
        res.end(body)
      }
    })
    const chunked = await post(`${server.url}/chunked`, '[]', { 'x-in': 'a' })
    expect(chunked.status).toBe(201)
    expect(await chunked.text()).toBe('{"result":"héllo ✓"}')
    expect(chunked.headers.get('X-Echo')).toBe('a')
    expect(chunked.headers.get('missing')).toBeNull()
    const echoed = await post(`${server.url}/`, '["SET","k","✓"]')
    expect(await echoed.text()).toBe('["SET","k","✓"]')
    expect(server.requests.map((r) => r.body)).toEqual(['[]', '["SET","k","✓"]'])
    expect(ports.size).toBe(1)
  })

  it('parses a response that arrives one byte at a time, after an interim 103', async () => {
    const response =
      'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"re\r\n9\r\nsult":42}\r\n0\r\n\r\n'
    const tcp: Server = createTcpServer((socket) => {
      socket.once('data', async () => {
        for (const byte of Buffer.from(response)) {
          socket.write(Buffer.from([byte]))
          await new Promise((resolve) => setImmediate(resolve))
        }
      })
    })
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    try {
      const address = tcp.address() as { port: number }
      const reply = await post(`http://127.0.0.1:${address.port}/`)
      expect(reply.status).toBe(200)
      expect(await reply.text()).toBe('{"result":42}')
    } finally {
      tcp.close()
    }
  })

  it('reads a body that runs to the end of the connection, and a 204 without a length', async () => {
    const answers = [
      'HTTP/1.1 204 No Content\r\n\r\n',
      'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"result":"eof"}',
    ]
    const tcp: Server = createTcpServer((socket) => {
      socket.on('data', () => {
        const answer = answers.shift()!
        if (answer.startsWith('HTTP/1.0')) socket.end(answer)
        else socket.write(answer)
      })
    })
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = tcp.address() as { port: number }
      const empty = await post(`http://127.0.0.1:${port}/`)
      expect([empty.status, await empty.text()]).toEqual([204, ''])
      const eof = await post(`http://127.0.0.1:${port}/`)
      expect([eof.status, await eof.text()]).toEqual([200, '{"result":"eof"}'])
    } finally {
      tcp.close()
    }
  })

  it('opens at most maxSockets connections and queues the rest', async () => {
    const ports = new Set<number>()
    const server = await serve((_req, res, socket) => {
      ports.add(socket.remotePort!)
      setTimeout(() => res.end('{"result":1}'), 20)
    })
    const replies = await Promise.all(Array.from({ length: 6 }, () => post(server.url)))
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
    expect(ports.size).toBe(2)
  })

  it('fails like fetch, with the Node error code as cause, when the connection is refused', async () => {
    const server = await serve(() => {})
    const url = server.url
    await server.close()
    servers.length = 0
    const error = await post(url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(((error as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED')
  })

  it('rejects with the abort reason and drops the connection when the signal aborts', async () => {
    const server = await serve(() => {})
    const controller = new AbortController()
    const pending = fetch(server.url, { method: 'POST', headers: {}, body: '[]', signal: controller.signal })
    setTimeout(() => controller.abort(new Error('gave up')), 20)
    await expect(pending).rejects.toThrow('gave up')
  })

  it('refuses a header value holding a line break instead of sending it', async () => {
    const server = await serve((_req, res) => res.end('{}'))
    await expect(post(server.url, '[]', { authorization: 'Bearer x\r\nX-Evil: 1' })).rejects.toThrow(
      /line break/,
    )
    expect(server.requests).toHaveLength(0)
  })

  it('opens a new connection when the server closes an idle one', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { connection: 'close', 'content-length': 2 })
      res.end('{}')
    })
    expect(await (await post(server.url)).text()).toBe('{}')
    expect(await (await post(server.url)).text()).toBe('{}')
    expect(server.requests).toHaveLength(2)
  })

  it('speaks HTTPS, trusting a private CA only when given it', async () => {
    // The private CA and its localhost / 127.0.0.1 certificate that the TLS tests share.
    const fixture = (name: string) => readFileSync(new URL(`../../client/fixtures/${name}`, import.meta.url))
    const [ca, cert, key] = [fixture('tls-ca.pem'), fixture('tls-cert.pem'), fixture('tls-key.pem')]
    const server = createHttpsServer({ cert, key }, (req, res) => {
      req.resume()
      req.on('end', () => res.end(`{"result":"${req.url}"}`))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const trusting = nodeFetch({ tls: { ca } })
    try {
      const reply = await trusting(`https://localhost:${port}/pipeline`, {
        method: 'POST',
        headers: {},
        body: '[]',
        signal: new AbortController().signal,
      })
      expect(await reply.text()).toBe('{"result":"/pipeline"}')
      const error = await post(`https://localhost:${port}/`).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TypeError)
      expect(String(((error as TypeError).cause as Error).message)).toMatch(/unable to verify|self-signed/)
    } finally {
      trusting.close()
      server.closeAllConnections()
      server.close()
    }
  })
})
