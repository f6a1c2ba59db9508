/**
 * `useCluster()` in a vitest file: one real Valkey Cluster (3 primaries, 3 replicas) shared by the
 * file's tests, started before them and stopped after them, pass or fail.
 */
import { afterAll, beforeAll } from 'vitest'
import { type ClusterOptions, startCluster, type ValkeyCluster } from './cluster.ts'

export const useCluster = (options?: ClusterOptions): { readonly cluster: ValkeyCluster } => {
  let cluster: ValkeyCluster | undefined
  beforeAll(async () => {
    cluster = await startCluster(options)
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })
  return {
    get cluster() {
      if (!cluster) throw new Error('useCluster(): the cluster is only available inside tests and hooks')
      return cluster
    },
  }
}
