import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createNodeConnect } from '../../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import type { Client } from '../../../src/client/types.ts'
import { TransportError } from '../../../src/errors.ts'
import { TLS_CA_FILE, TLS_PASSWORD, useTlsValkey } from '../../support/tls.ts'
import { freePort } from '../../support/valkey.ts'

const tlsPort = await freePort()

describe('createTcpClient over TLS (rediss://)', () => {
  const valkey = useTlsValkey(tlsPort)
  const clients: Client[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
  })

  it('connects, authenticates and pipelines over TLS when the CA is trusted', async () => {
    const client = createTcpClient({
      url: `rediss://:${TLS_PASSWORD}@localhost:${tlsPort}`,
      connect: createNodeConnect({ ca: readFileSync(TLS_CA_FILE) }),
    })
    clients.push(client)
    expect(await Promise.all([client.send(['PING']), client.send(['INCR', 'tls'])])).toEqual(['PONG', 1])
    expect(valkey.server.cli('GET', 'tls')).toBe('1')
  })

  it('refuses a certificate it cannot verify, with TransportError', async () => {
    const client = createTcpClient({
      url: `valkeys://:${TLS_PASSWORD}@localhost:${tlsPort}`,
      connect,
      reconnect: { attempts: 1 },
    })
    clients.push(client)
    const error = await client.send(['PING']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(/unable to verify the first certificate|self-signed certificate/)
  })
})
