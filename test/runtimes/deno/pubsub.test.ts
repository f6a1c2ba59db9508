/**
 * The pub/sub cases inside Deno: over `Deno.connect` against `VALKEY_PORT`, and over SSE through
 * the bridge at `BRIDGE_URL`. Run by `test/runtimes/pubsub.deno.test.ts` with `--allow-net=127.0.0.1`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { createHttpClient } from '../../../src/client/http/client.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import type { Client } from '../../../src/client/types.ts'
import { pubsubCases } from '../../pubsub/cases.ts'
import { Deno } from './deno.ts'

const transports: Array<[string, () => Client]> = [
  ['tcp', () => createTcpClient({ host: '127.0.0.1', port: Number(Deno.env.get('VALKEY_PORT')), connect })],
  ['sse', () => createHttpClient({ url: Deno.env.get('BRIDGE_URL')!, token: Deno.env.get('BRIDGE_TOKEN')! })],
]
for (const [transport, make] of transports) {
  const sub = make()
  const pub = make()
  for (const testCase of pubsubCases) {
    Deno.test({
      name: `${transport}: ${testCase.name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => testCase.run(sub, pub),
    })
  }
  Deno.test({
    name: `${transport}: close`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => Promise.all([sub.close(), pub.close()]).then(() => {}),
  })
}
