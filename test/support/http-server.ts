/**
 * A small purpose-written HTTP server for transport edge cases the real bridge will not produce on
 * demand: a server that never answers, drops the connection, answers 5xx or malformed JSON. It
 * records every request it receives (path, headers, body) so tests can count them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedRequest {
  readonly path: string
  readonly headers: IncomingMessage['headers']
  /** The body as UTF-8 text, and as the exact bytes received. */
  readonly body: string
  readonly raw: Buffer
}

export interface TestHttpServer {
  readonly url: string
  readonly port: number
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

export type TestHandler = (request: RecordedRequest, response: ServerResponse, socket: Socket) => void

/** Starts a server on a free loopback port; `handler` answers (or does not answer) each request. */
export const startHttpServer = async (handler: TestHandler): Promise<TestHttpServer> => {
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const recorded = { path: req.url ?? '/', headers: req.headers, body: raw.toString('utf8'), raw }
      requests.push(recorded)
      handler(recorded, res, req.socket)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Answers with JSON and the given status. */
export const json = (
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers })
  response.end(JSON.stringify(value))
}
