/**
 * The recording HTTP server the environment table runs against: it answers every command with
 * PONG and lists, at `/__seen`, the requests (path, Authorization) received since the last look.
 */
import { startHttpServer, type TestHttpServer } from '../support/http-server.ts'
import type { Seen } from './env.cases.ts'

export interface EnvServer {
  readonly url: string
  /** The requests since the last call, from Node. */
  seen(): Promise<Seen[]>
  close(): Promise<void>
}

export const startEnvServer = async (): Promise<EnvServer> => {
  let read = 0
  const take = (server: TestHttpServer): Seen[] => {
    const fresh = server.requests.slice(read).filter((request) => request.path !== '/__seen')
    read = server.requests.length
    return fresh.map((request) => ({ path: request.path, authorization: request.headers.authorization }))
  }
  const server: TestHttpServer = await startHttpServer((request, response) => {
    response.setHeader('Content-Type', 'application/json')
    if (request.path === '/__seen') return response.end(JSON.stringify(take(server)))
    const pong = { result: Buffer.from('PONG').toString('base64') }
    response.end(JSON.stringify(request.path.endsWith('/pipeline') ? [pong] : pong))
  })
  return { url: server.url, seen: async () => take(server), close: () => server.close() }
}
