/**
 * Helpers for the Express and Fastify suites: a server on a free loopback port, the cookie out of
 * a response, and a load generator that keeps a bounded number of requests in flight over
 * keep-alive connections (undici's pool behind fetch).
 */
import { createServer, type RequestListener } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'

/**
 * Loads a peer package without its type declarations. @types/express-session (pulled in by
 * express-session and connect-redis) declares `req.session` globally as express-session's, which
 * clashes with floodgate/express's declaration in one type-checked program; @fastify/session
 * does the same for `request.session`. The peers are exercised through plain JavaScript here.
 */
export const peer: NodeJS.Require = createRequire(import.meta.url)

export interface Listening {
  readonly url: string
  close(): Promise<void>
}

/** Serves `handler` (an Express app) on 127.0.0.1 and a free port. */
export const listen = async (handler: RequestListener): Promise<Listening> => {
  const server = createServer(handler)
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** `name=value` of the first Set-Cookie of `response`, for the next request's Cookie header. */
export const cookieOf = (response: Response): string => {
  const line = response.headers.getSetCookie()[0]
  if (!line) throw new Error(`expected a Set-Cookie header on ${response.url}, got none`)
  return line.split(';')[0]!
}

/**
 * Sends `total` requests with at most `inFlight` at a time and counts the answers by status.
 *
 * @example
 * const counts = await hammer(2000, 100, () => fetch(url)) // { 200: 100, 429: 1900 }
 */
export const hammer = async (
  total: number,
  inFlight: number,
  send: (i: number) => Promise<Response>,
): Promise<Record<number, number>> => {
  const counts: Record<number, number> = {}
  let next = 0
  const worker = async () => {
    while (next < total) {
      const response = await send(next++)
      await response.arrayBuffer()
      counts[response.status] = (counts[response.status] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return counts
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
