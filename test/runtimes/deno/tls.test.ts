/**
 * `rediss://` from Deno: `Deno.connectTls` with a private CA (PEM in `VALKEY_TLS_CA`), AUTH over
 * TLS (`VALKEY_TLS_PASSWORD`), against the Valkey TLS port in `VALKEY_TLS_PORT`. Run by `test/runtimes/client.deno.test.ts`.
 */
import { createDenoConnect } from '../../../adapters/deno/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import { simpleAssert } from '../../client/assert.ts'
import { Deno } from './deno.ts'

Deno.test('rediss:// with a trusted private CA: AUTH, pipelined commands, then close', async () => {
  const client = createTcpClient({
    url: `rediss://:${Deno.env.get('VALKEY_TLS_PASSWORD')}@127.0.0.1:${Deno.env.get('VALKEY_TLS_PORT')}`,
    connect: createDenoConnect({ caCerts: [Deno.env.get('VALKEY_TLS_CA')!] }),
  })
  try {
    simpleAssert.deepEqual(await Promise.all([client.send(['PING']), client.send(['INCR', 'deno-tls'])]), [
      'PONG',
      1,
    ])
  } finally {
    await client.close()
  }
})
