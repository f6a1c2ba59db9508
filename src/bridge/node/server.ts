/**
 * Serves the bridge with `node:http`. The request path stays lean: the body is handed to
 * `bridge.handle()` as the pieces in which it arrives (capped while it arrives, parsed as it
 * comes), in a plain object, with no `Request`/`Response` built per call. Slow or stalled clients get a JSON 408 (header and request
 * timeouts), malformed HTTP a JSON 400; neither reaches the handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Bridge, BridgeOutput } from '../handler.ts'
import { type Logger, silentLogger } from '../log.ts'
import { bodyPieces } from './body-pieces.ts'

export interface ServeOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** A client must send its headers within this many ms (default 10 000). */
  headersTimeout?: number
  /** ... and its whole request within this many ms (default 30 000). */
  requestTimeout?: number
  /** Idle keep-alive connections close after this many ms (default 5 000). */
  keepAliveTimeout?: number
  logger?: Logger
}

export interface BridgeServer {
  /** `http://host:port`. */
  readonly url: string
  readonly port: number
  readonly server: Server
  /** Stops accepting, answers what is in flight, ends streams, closes the upstream. */
  close(): Promise<void>
}

const TOO_LARGE = '{"error":"ERR max request size exceeded"}'
/** How long the rest of an oversized upload is read and dropped before its connection is cut. */
const LINGER_MS = 5000

const TIMEOUT_MESSAGE = 'ERR request timeout: the client did not send its request in time'

const rawError = (status: number, reason: string, message: string): string => {
  const body = JSON.stringify({ error: message })
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
}

const write = (res: ServerResponse, out: BridgeOutput, head: boolean): void => {
  if (typeof out.body === 'string') {
    // With the length known the head and body leave in one write; without it Node would send
    // the body chunked, in several.
    out.headers['content-length'] = String(Buffer.byteLength(out.body))
    res.writeHead(out.status, out.headers)
    res.end(head ? undefined : out.body)
    return
  }
  const reader = out.body.getReader()
  res.writeHead(out.status, out.headers)
  res.flushHeaders()
  res.once('close', () => void reader.cancel().catch(() => {}))
  const pump = (): void => {
    reader.read().then(
      ({ done, value }) => {
        if (done) res.end()
        else if (res.write(value)) pump()
        else res.once('drain', pump)
      },
      () => res.destroy(),
    )
  }
  pump()
}

/**
 * Starts an HTTP server for `bridge` and resolves once it listens.
 *
 * @example
 * const server = await serveBridge(bridge, { host: '127.0.0.1', port: 8079 })
 * console.log(server.url) // http://127.0.0.1:8079
 */
export const serveBridge = async (bridge: Bridge, options: ServeOptions = {}): Promise<BridgeServer> => {
  const log = options.logger ?? silentLogger
  const max = bridge.maxBody
  const server = createServer(
    {
      headersTimeout: options.headersTimeout ?? 10_000,
      requestTimeout: options.requestTimeout ?? 30_000,
      keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
      connectionsCheckingInterval: Math.min(1000, options.headersTimeout ?? 1000),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (!served.has(req.socket)) {
        served.add(req.socket)
        req.socket.setTimeout(0)
      }
      const declared = req.headers['content-length']
      if (declared !== undefined && Number(declared) > max) return tooLarge(req, res)
      // The handler parses the body as it arrives; past `max` the 413 below answers instead.
      const body = bodyPieces(req, max, () => tooLarge(req, res))
      const headers = req.headers
      bridge
        .handle({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          header: (name) => headers[name] as string | undefined,
          body,
        })
        .then(
          (out) => {
            body.abandon()
            if (!res.headersSent) write(res, out, req.method === 'HEAD')
          },
          (error) => {
            body.abandon()
            log('error', 'request failed', { error })
            if (res.headersSent) return
            res.writeHead(500, { 'content-type': 'application/json' })
            res.end('{"error":"ERR internal bridge error; see the bridge log"}')
          },
        )
    },
  )
  /** Sockets that sent a request; the rest are held to `headersTimeout` from connecting. */
  const served = new WeakSet<Socket>()
  const tooLarge = (req: IncomingMessage, res: ServerResponse): void => {
    if (res.headersSent) {
      // Answered already, without reading the body (a 401, say): the rest is dropped as it
      // comes, for LINGER_MS at most, then the connection is cut.
      const linger = setTimeout(() => req.socket.destroy(), LINGER_MS)
      const stop = () => clearTimeout(linger)
      req.once('end', stop)
      req.once('close', stop)
      return
    }
    res.writeHead(413, {
      'content-type': 'application/json',
      'content-length': String(TOO_LARGE.length),
      connection: 'close',
    })
    // The answer leaves now, but the connection closes only once the rest of the upload is read
    // and dropped (or after LINGER_MS): closing with unread bytes sends a reset, which can destroy
    // the 413 before the client reads it (RFC 9112 §9.6, "lingering close").
    res.write(TOO_LARGE)
    const linger = setTimeout(() => req.socket.destroy(), LINGER_MS)
    let ended = false
    const done = () => {
      if (ended) return
      ended = true
      clearTimeout(linger)
      res.end()
    }
    req.once('end', done)
    req.once('close', done)
    req.resume()
    bridge.metrics.request('other', 413, 0)
  }
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable) {
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        socket.write(rawError(408, 'Request Timeout', TIMEOUT_MESSAGE))
      } else if (error.code === 'HPE_HEADER_OVERFLOW') {
        socket.write(rawError(431, 'Request Header Fields Too Large', 'ERR request headers too large'))
      } else if (error.code !== 'ECONNRESET') {
        socket.write(rawError(400, 'Bad Request', 'ERR malformed HTTP request'))
      }
    }
    socket.destroy()
  })
  // A connection that sends nothing at all is not covered by Node's header timeout (it starts
  // with the first byte), so an idle timer covers it until its first request.
  server.on('timeout', (socket: Socket) => {
    if (!served.has(socket) && socket.writable) {
      socket.write(rawError(408, 'Request Timeout', TIMEOUT_MESSAGE))
    }
    socket.destroy()
  })
  server.on('connection', (socket: Socket) => {
    bridge.metrics.openConnections++
    socket.setTimeout(options.headersTimeout ?? 10_000)
    socket.setNoDelay(true)
    socket.once('close', () => bridge.metrics.openConnections--)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await bridge.close()
      server.closeIdleConnections()
      const grace = setTimeout(() => server.closeAllConnections(), 2000)
      await closed
      clearTimeout(grace)
    },
  }
}
