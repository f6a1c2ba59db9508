/**
 * A streaming `fetch` for the HTTP subscriber on Node (`createHttpClient({ streamFetch })`): one
 * `node:net` (or `node:tls`) connection per SSE stream, the chunked body handed on as it arrives,
 * each socket read as few stream chunks as the server's HTTP chunks allow. Node's global fetch
 * (undici: llhttp in wasm, then web streams) costs ~0.5 µs of CPU per 274-byte event on a shared
 * 2-core VM before the reader sees it; this path costs about half (figures in docs/pubsub.md).
 * It implements only what the subscriber needs (`StreamFetch`): a bodiless POST, the status, the
 * body as a `ReadableStream`, or its text for a refusal. Errors look like fetch's: a
 * `TypeError('fetch failed')` with Node's error as its `cause`; an abort rejects with the reason.
 */
import { connect as connectTcp, type Socket } from 'node:net'
import { type ConnectionOptions, connect as connectTls } from 'node:tls'
import type { StreamFetch } from '../../src/client/http/subscriber.ts'
import { ResponseBody } from './response-body.ts'

export interface NodeStreamFetchOptions {
  /** TLS options for https:// URLs (e.g. `ca` for a private CA). */
  tls?: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>
}

const failed = (cause: unknown): TypeError => new TypeError('fetch failed', { cause })
const UNSAFE = /[\r\n\0]/
const HEAD_MAX = 64 * 1024

/** The status and headers at the start of `buffer`, or undefined while they are incomplete. */
const parseHead = (buffer: Buffer) => {
  const end = buffer.indexOf('\r\n\r\n')
  if (end === -1) {
    if (buffer.length > HEAD_MAX) throw new Error('the response head is larger than 64 KiB')
    return undefined
  }
  const lines = buffer.toString('latin1', 0, end).split('\r\n')
  const status = Number(lines[0]!.split(' ')[1])
  if (!Number.isInteger(status)) throw new Error(`not an HTTP/1.1 status line: ${lines[0]!.slice(0, 80)}`)
  const headers = new Map<string, string>()
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { status, headers, rest: buffer.subarray(end + 4) }
}

/**
 * Creates a streaming fetch for `createHttpClient({ streamFetch })` on Node.
 *
 * @example
 * import { createHttpClient, subscribe } from 'floodgate'
 * import { nodeStreamFetch } from 'floodgate/node'
 * const client = createHttpClient({ url: process.env.FLOODGATE_URL!, streamFetch: nodeStreamFetch() })
 * for await (const { message } of subscribe(client, 'chat')) console.log(message)
 */
export const nodeStreamFetch =
  (options: NodeStreamFetchOptions = {}): StreamFetch =>
  (url, init) =>
    new Promise((resolve, reject) => {
      const { signal } = init
      if (signal.aborted) return reject(signal.reason)
      const parsed = new URL(url)
      const secure = parsed.protocol === 'https:'
      let head = `POST ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\n`
      for (const name in init.headers) {
        const value = init.headers[name]!
        if (UNSAFE.test(name) || UNSAFE.test(value))
          return reject(new TypeError(`header ${name} holds a line break`))
        head += `${name}: ${value}\r\n`
      }
      head += 'Content-Length: 0\r\nConnection: close\r\n\r\n'
      const host = parsed.hostname.replace(/^\[|\]$/g, '')
      const port = Number(parsed.port) || (secure ? 443 : 80)
      const socket: Socket = secure
        ? connectTls({ host, port, servername: host, ALPNProtocols: ['http/1.1'], ...options.tls })
        : connectTcp({ host, port })
      socket.setNoDelay(true)
      socket.write(head)
      let buffer: Buffer = Buffer.alloc(0)
      let body: ResponseBody | undefined
      const onAbort = () => socket.destroy(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      const onHead = (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
        let found: ReturnType<typeof parseHead>
        try {
          found = parseHead(buffer)
        } catch (error) {
          socket.destroy(error as Error)
          return
        }
        if (found === undefined) return
        // An interim 1xx (100 Continue, 103 Early Hints) comes before the real response.
        if (found.status < 200) {
          buffer = Buffer.alloc(0)
          if (found.rest.length > 0) onHead(found.rest)
          return
        }
        socket.off('data', onHead)
        const length = found.headers.get('content-length')
        const chunked = /\bchunked\b/i.test(found.headers.get('transfer-encoding') ?? '')
        body = new ResponseBody(socket, chunked ? 'chunked' : length !== undefined ? Number(length) : 'close')
        socket.on('data', (data: Buffer) => body!.feed(data))
        if (found.rest.length > 0) body.feed(found.rest)
        resolve({
          ok: found.status >= 200 && found.status < 300,
          status: found.status,
          body: body.stream,
          text: () => new Response(body!.stream).text(),
        })
      }
      socket.on('data', onHead)
      socket.on('error', () => {}) // reported by 'close' below, with the error
      socket.once('close', () => {
        signal.removeEventListener('abort', onAbort)
        const error = (socket.errored as Error | null) ?? undefined
        if (body !== undefined) body.closed(signal.aborted ? signal.reason : error)
        else
          reject(
            signal.aborted
              ? signal.reason
              : failed(error ?? new Error('the server closed the connection before answering')),
          )
      })
    })
