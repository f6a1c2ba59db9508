/**
 * The client suite inside Deno, over `Deno.connect`, against the Valkey on `VALKEY_PORT`. Run by
 * `test/runtimes/deno-client.test.ts` as `deno test --allow-net=127.0.0.1 --allow-env=VALKEY_PORT`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { createTcpClient } from '../../../src/client/tcp.ts'
import { simpleAssert } from '../../client/assert.ts'
import { clientSuite } from '../../client/suite.ts'

declare const Deno: {
  env: { get(name: string): string | undefined }
  test(definition: {
    name: string
    fn: () => Promise<void>
    sanitizeOps?: boolean
    sanitizeResources?: boolean
  }): void
}

// NOTE: a named variable only; `Deno.env.toObject()` fails under scoped --allow-env.
const port = Number(Deno.env.get('VALKEY_PORT'))
const client = createTcpClient({ host: '127.0.0.1', port, connect })

// One connection serves every case, so the socket outlives each test: no op/resource sanitizers.
for (const testCase of clientSuite) {
  Deno.test({
    name: testCase.name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => testCase.run(client, simpleAssert),
  })
}
Deno.test({ name: 'close', sanitizeOps: false, sanitizeResources: false, fn: () => client.close() })
