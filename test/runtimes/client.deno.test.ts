/**
 * The client suite over TCP inside Deno: runs `deno test` on `deno/client.test.ts` with network
 * access to 127.0.0.1 only, and reports each case from its TAP output as its own test.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { TLS_CA_FILE, TLS_PASSWORD, useTlsValkey } from '../support/tls.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { runDenoTest, useDenoSuite } from './support/runners.ts'

describe('the client suite over TCP inside Deno', () => {
  const valkey = useValkey()
  useDenoSuite('test/runtimes/deno/client.test.ts', () => ({ VALKEY_PORT: String(valkey.server.port) }))
})

const tlsPort = await freePort()

describe('rediss:// inside Deno', () => {
  useTlsValkey(tlsPort)
  it('connects over TLS with a private CA, authenticates and pipelines', async () => {
    const run = await runDenoTest('test/runtimes/deno/tls.test.ts', {
      VALKEY_TLS_PORT: String(tlsPort),
      VALKEY_TLS_PASSWORD: TLS_PASSWORD,
      VALKEY_TLS_CA: readFileSync(TLS_CA_FILE, 'utf8'),
    })
    expect(run.results, run.output.slice(-3000)).toEqual([
      { name: 'rediss:// with a trusted private CA: AUTH, pipelined commands, then close', ok: true },
    ])
    expect(run.code).toBe(0)
  }, 120_000)
})
