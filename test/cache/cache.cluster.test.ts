/**
 * The cache suite on a real 3+3 Valkey Cluster: an entry and its lock share a hash tag, tags are
 * keys of their own read and bumped by single-key commands, so nothing spans slots.
 */
import { afterAll, beforeAll } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import type { Client } from '../../src/client/types.ts'
import { createClusterClient } from '../../src/index.ts'
import { useCluster } from '../support/use-cluster.ts'
import { cacheSuite } from './cache.suite.ts'

const ctx = useCluster()
let client: Client
beforeAll(() => {
  client = createClusterClient({ url: ctx.cluster.url, connect })
})
afterAll(() => client?.close())

cacheSuite('a Valkey Cluster', () => ({ ...client, close: async () => {} }))
