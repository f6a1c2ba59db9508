/** Reading the cluster map from `CLUSTER SHARDS`, as Valkey 8 answers it after a failover. */
import { describe, expect, it } from 'vitest'
import { parseShards } from '../../../src/client/cluster/topology.ts'
import type { Reply } from '../../../src/client/types.ts'

const node = (port: number, role: 'master' | 'replica', health: 'online' | 'failed'): Reply => [
  'id',
  `node-${port}`,
  'port',
  port,
  'ip',
  '127.0.0.1',
  'endpoint',
  '127.0.0.1',
  'role',
  role,
  'replication-offset',
  100,
  'health',
  health,
]
const shard = (nodes: Reply[]): Reply => ['slots', [0, 16383], 'nodes', nodes]

describe('parseShards', () => {
  it('takes the online master of a shard, whichever side of its failed predecessor it is listed on', () => {
    const promoted = node(7001, 'master', 'online')
    const dead = node(7000, 'master', 'failed')
    const replica = node(7002, 'replica', 'online')
    const gone = node(7003, 'replica', 'failed')
    for (const nodes of [
      [dead, promoted, replica, gone],
      [promoted, dead, gone, replica],
    ]) {
      const topology = parseShards([shard(nodes)], '127.0.0.1')
      const served = topology.shards[topology.slots[1234]!]!
      expect(served.primary.port).toBe(7001)
      expect(served.replicas.map((r) => r.port)).toEqual([7002])
    }
  })

  it('keeps a failed master when the shard has no other (its slots are down until a promotion)', () => {
    const topology = parseShards([shard([node(7000, 'master', 'failed')])], '127.0.0.1')
    expect(topology.shards[topology.slots[0]!]!.primary.port).toBe(7000)
  })
})
