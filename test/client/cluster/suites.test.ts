/**
 * The limiter suite and the stateful session suite, unchanged, on a real Valkey Cluster (3
 * primaries, 3 replicas) through the cluster client over TCP. Their keys carry hash tags, so every
 * script touches one slot; the suites prove nothing else was needed.
 */

import { afterAll } from 'vitest'
import { connect } from '../../../adapters/node/socket.ts'
import { createClusterClient } from '../../../src/client/cluster.ts'
import type { Client } from '../../../src/client/types.ts'
import { limiterSuite } from '../../limit/limiter.suite.ts'
import { statefulSuite } from '../../session/stateful-suite.ts'
import { useCluster } from '../../support/use-cluster.ts'

const ctx = useCluster()
const clients: Client[] = []
const open = () => {
  const client = createClusterClient({ url: ctx.cluster.url, connect })
  clients.push(client)
  return client
}
afterAll(() => Promise.all(clients.map((client) => client.close())))

limiterSuite('a Valkey Cluster over TCP', open)
statefulSuite('a Valkey Cluster over TCP', { client: open })
