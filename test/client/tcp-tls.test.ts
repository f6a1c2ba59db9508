import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { connect, createNodeConnect } from '../../adapters/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp.ts'
import type { Client } from '../../src/client/types.ts'
import { TransportError } from '../../src/errors.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'

// A private test CA and a server certificate it signed for localhost and 127.0.0.1, for tests only.
const caFile = new URL('./fixtures/tls-ca.pem', import.meta.url).pathname
const certFile = new URL('./fixtures/tls-cert.pem', import.meta.url).pathname
const keyFile = new URL('./fixtures/tls-key.pem', import.meta.url).pathname
const tlsPort = await freePort()

describe('createTcpClient over TLS (rediss://)', () => {
  const valkey = useValkey({
    password: 'tls-secret',
    args: [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      certFile,
      '--tls-key-file',
      keyFile,
      '--tls-auth-clients',
      'no',
    ],
  })
  const clients: Client[] = []
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
  })

  it('connects, authenticates and pipelines over TLS when the CA is trusted', async () => {
    const client = createTcpClient({
      url: `rediss://:tls-secret@localhost:${tlsPort}`,
      connect: createNodeConnect({ ca: readFileSync(caFile) }),
    })
    clients.push(client)
    expect(await Promise.all([client.send(['PING']), client.send(['INCR', 'tls'])])).toEqual(['PONG', 1])
    expect(valkey.server.cli('GET', 'tls')).toBe('1')
  })

  it('refuses a certificate it cannot verify, with TransportError', async () => {
    const client = createTcpClient({
      url: `valkeys://:tls-secret@localhost:${tlsPort}`,
      connect,
      reconnect: { attempts: 1 },
    })
    clients.push(client)
    const error = await client.send(['PING']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(/unable to verify the first certificate|self-signed certificate/)
  })
})
