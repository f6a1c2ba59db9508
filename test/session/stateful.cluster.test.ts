import { afterAll, beforeAll } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import type { Client } from '../../src/client/types.ts'
import { createClusterClient } from '../../src/index.ts'
import { useCluster } from '../support/use-cluster.ts'
import { statefulSuite } from './stateful.suite.ts'

// Every script touches one hash-tagged key, so the suite runs unchanged on a real 3+3 cluster,
// where a session, its user index and the other sessions of that user sit in different slots.
const ctx = useCluster()
let client: Client
beforeAll(() => {
  client = createClusterClient({ url: ctx.cluster.url, connect })
})
afterAll(() => client?.close())

statefulSuite('a Valkey Cluster', { client: () => client })
