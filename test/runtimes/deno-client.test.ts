/**
 * The client suite over TCP inside Deno: runs `deno test` on `deno/client.test.ts` with network
 * access to 127.0.0.1 only, and reports each case from its TAP output as its own test.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { runDenoTest, useDenoSuite } from './support.ts'

describe('the client suite over TCP inside Deno', () => {
  const valkey = useValkey()
  useDenoSuite('test/runtimes/deno/client.test.ts', () => ({ VALKEY_PORT: String(valkey.server.port) }))
})

const caFile = new URL('../client/fixtures/tls-ca.pem', import.meta.url).pathname
const certFile = new URL('../client/fixtures/tls-cert.pem', import.meta.url).pathname
const keyFile = new URL('../client/fixtures/tls-key.pem', import.meta.url).pathname
const tlsPort = await freePort()

describe('rediss:// inside Deno', () => {
  useValkey({
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
  it('connects over TLS with a private CA, authenticates and pipelines', async () => {
    const run = await runDenoTest('test/runtimes/deno/tls.test.ts', {
      VALKEY_TLS_PORT: String(tlsPort),
      VALKEY_TLS_CA: readFileSync(caFile, 'utf8'),
    })
    expect(run.results, run.output.slice(-3000)).toEqual([
      { name: 'rediss:// with a trusted private CA: AUTH, pipelined commands, then close', ok: true },
    ])
    expect(run.code).toBe(0)
  }, 120_000)
})
