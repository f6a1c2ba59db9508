/**
 * The cluster cases inside Deno, over `Deno.connect`, against the cluster seeds in
 * `CLUSTER_SEEDS`. Run by `test/runtimes/cluster.test.ts`.
 */
import { connect } from '../../../adapters/deno/socket.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { simpleAssert } from '../../client/assert.ts'
import { clusterCases } from '../../client/cluster/cases.ts'
import { Deno } from './deno.ts'

// Deno starts cold on a machine that may be busy: give the first connections room (the first map
// read gets connectTimeout on top of its 1 s).
const client = createClusterClient({
  url: `redis://${Deno.env.get('CLUSTER_SEEDS')}`,
  connect,
  connectTimeout: 10_000,
})
for (const testCase of clusterCases) {
  Deno.test({
    name: testCase.name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => testCase.run(client, simpleAssert, 'rt:deno:'),
  })
}
Deno.test({ name: 'close', sanitizeOps: false, sanitizeResources: false, fn: () => client.close() })
