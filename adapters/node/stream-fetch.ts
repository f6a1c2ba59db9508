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
import type { StreamFetch } from '../../src/client/http/subscriber.ts'
import { failed, openSocket, parseHead, requestHead, type TlsOptions, target } from './http1.ts'
import { ResponseBody } from './response-body.ts'

export interface NodeStreamFetchOptions {
  /** TLS options for https:// URLs (e.g. `ca` for a private CA). */
  tls?: TlsOptions
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
      const { origin, start } = target(url)
      let head: string
      try {
        head = requestHead(start, init.headers, 'Content-Length: 0\r\nConnection: close\r\n\r\n')
      } catch (error) {
        return reject(error)
      }
      const socket = openSocket(origin, options.tls)
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
        socket.off('data', onHead)
        const length = found.headers.get('content-length')
        const chunked = /\bchunked\b/i.test(found.headers.get('transfer-encoding') ?? '')
        body = new ResponseBody(socket, chunked ? 'chunked' : length !== undefined ? Number(length) : 'close')
        socket.on('data', (data: Buffer) => body!.feed(data))
        if (found.bodyStart < buffer.length) body.feed(buffer.subarray(found.bodyStart))
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
