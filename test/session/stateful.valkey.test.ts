import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import type { Client } from '../../src/client/types.ts'
import { createSessions, createTcpClient, scriptSha, TimeoutError, TransportError } from '../../src/index.ts'
import {
  createSession,
  indexSession,
  retireSession,
  takeSessions,
  updateSession,
} from '../../src/session/scripts.ts'
import { useValkey } from '../support/use-valkey.ts'
import { startValkey } from '../support/valkey.ts'
import { pairOf, request, setCookie } from './helpers.ts'
import { statefulSuite } from './stateful.suite.ts'

const valkey = useValkey()
let client: Client
beforeAll(() => {
  client = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => client?.close())

statefulSuite('real Valkey over TCP', { client: () => client })

describe('stateful sessions on real Valkey', () => {
  it.each([updateSession, createSession, retireSession, indexSession, takeSessions])(
    'script $name loads under the SHA it is called by',
    async (script) => {
      expect(valkey.server.cli('SCRIPT', 'LOAD', script.lua)).toBe(await scriptSha(script))
    },
  )

  it('a backend that is down raises TransportError from load and commit; no session is faked', async () => {
    const server = await startValkey()
    const down = createTcpClient({
      url: server.url,
      connect,
      connectTimeout: 500,
      commandTimeout: 2000,
      reconnect: { attempts: 1, minDelay: 10, maxDelay: 10 },
    })
    try {
      const sessions = createSessions({ client: down })
      const first = await sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      const open = await sessions.load(request(cookie))
      await server.stop()
      const load = await sessions.load(request(cookie)).catch((error: unknown) => error)
      expect(load).toBeInstanceOf(TransportError)
      open.set('views', 2)
      const commit = await open.commit().catch((error: unknown) => error)
      expect(commit).toBeInstanceOf(TransportError)
      const fresh = await sessions.load(request())
      fresh.set('views', 1)
      expect(await fresh.commit().catch((error: unknown) => error)).toBeInstanceOf(TransportError)
    } finally {
      await down.close()
      await server.stop()
    }
  })

  it('a backend that hangs raises TimeoutError within the command timeout', async () => {
    const server = await startValkey()
    const slow = createTcpClient({ url: server.url, connect, commandTimeout: 300 })
    try {
      const sessions = createSessions({ client: slow })
      const first = await sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      server.pause()
      const started = Date.now()
      const error = await sessions.load(request(cookie)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TimeoutError)
      expect(Date.now() - started).toBeLessThan(300 + 2000)
    } finally {
      server.resume()
      await slow.close()
      await server.stop()
    }
  })
})
