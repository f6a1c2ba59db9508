/**
 * `nodeStreamFetch()`: the streaming fetch the HTTP subscriber can use on Node. Against a raw TCP
 * server, for the framings the bridge will not produce on demand: a chunked body sent one byte at
 * a time after an interim 103 (with a chunk extension and a trailer), a Content-Length refusal, a
 * connection closed mid-body, an abort, a refused connection. Delivery through the real bridge is
 * in test/pubsub/sse.test.ts.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeStreamFetch } from '../../../adapters/node/index.ts'

const fetch = nodeStreamFetch()
const servers: Server[] = []
afterEach(() => {
  for (const server of servers.splice(0)) server.close()
})

/** A TCP server that answers the first request on each connection with `answer`. */
const serve = async (answer: (socket: Socket, request: string) => void): Promise<string> => {
  const server = createTcpServer((socket) => {
    socket.once('data', (data) => answer(socket, data.toString('latin1')))
    socket.on('error', () => {})
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

const post = (url: string, signal = new AbortController().signal) =>
  fetch(`${url}/subscribe/chat`, { method: 'POST', headers: { Authorization: 'Bearer t' }, signal })

const readAll = async (body: ReadableStream<Uint8Array>): Promise<string> => new Response(body).text()

describe('nodeStreamFetch', () => {
  it('streams a chunked body sent one byte at a time after a 103, dropping extension and trailer', async () => {
    const events = 'data: subscribe,chat,1\n\ndata: message,chat,héllo ✓\n\n'
    const bytes = Buffer.from(events)
    const chunked = `${(20).toString(16)};ext=1\r\n${bytes.subarray(0, 20).toString('latin1')}\r\n${(bytes.length - 20).toString(16)}\r\n${bytes.subarray(20).toString('latin1')}\r\n0\r\nX-Trailer: 1\r\n\r\n`
    let request = ''
    const url = await serve(async (socket, received) => {
      request = received
      const all = Buffer.concat([
        Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'),
        Buffer.from(
          'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
        ),
        Buffer.from(chunked, 'latin1'),
      ])
      for (const byte of all) {
        socket.write(Buffer.from([byte]))
        await new Promise((resolve) => setImmediate(resolve))
      }
    })
    const response = await post(url)
    expect([response.ok, response.status]).toEqual([true, 200])
    expect(await readAll(response.body!)).toBe(events)
    expect(request).toMatch(
      /^POST \/subscribe\/chat HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nAuthorization: Bearer t\r\n/,
    )
  })

  it('reads a Content-Length refusal as text', async () => {
    const url = await serve((socket) =>
      socket.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 22\r\n\r\n{"error":"WRONGPASS"}\n'),
    )
    const response = await post(url)
    expect([response.ok, response.status]).toEqual([false, 401])
    expect(await response.text()).toBe('{"error":"WRONGPASS"}\n')
  })

  it('errors the body when the server closes the connection mid-body', async () => {
    const url = await serve((socket) =>
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\ndata: x\n\r\n20\r\ncut short'),
    )
    const response = await post(url)
    // Let the close arrive before reading: the chunks queued before it must not be dropped.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe('data: x\n')
    // What arrived before the break is read first ('cut short'), then the error.
    const second = await reader.read()
    expect(new TextDecoder().decode(second.value)).toBe('cut short')
    const rest = await reader.read().catch((error: unknown) => error)
    expect(rest).toMatchObject({ name: 'TypeError', message: expect.stringMatching(/terminated/) })
  })

  it('rejects with the abort reason, before the head and while streaming', async () => {
    const silent = await serve(() => {})
    const before = new AbortController()
    const pending = post(silent, before.signal)
    setTimeout(() => before.abort(new Error('gave up')), 10)
    await expect(pending).rejects.toThrow('gave up')

    const streaming = await serve((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\ndata: x\n\r\n'),
    )
    const during = new AbortController()
    const response = await post(streaming, during.signal)
    const reader = response.body!.getReader()
    await reader.read()
    during.abort(new Error('unsubscribed'))
    await expect(reader.read()).rejects.toThrow('unsubscribed')
  })

  it('fails like fetch, with the Node error code as cause, when the connection is refused', async () => {
    const url = await serve(() => {})
    servers.splice(0)[0]!.close()
    await new Promise((resolve) => setTimeout(resolve, 10))
    const error = await post(url).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(((error as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED')
  })
})
