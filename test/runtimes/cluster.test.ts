/**
 * The cluster client inside workerd (Miniflare, `cloudflare:sockets`) and Deno (`Deno.connect`)
 * against a real local Valkey Cluster: the same cases in both, each reported as its own test, and
 * a check from Node that their keys landed on all three primaries.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { clusterCases } from '../client/cluster/cases.ts'
import type { CaseResult } from '../client/run-suite.ts'
import { useCluster } from '../support/use-cluster.ts'
import { runDenoTest, runInWorkerd } from './support/runners.ts'

const ctx = useCluster()
const results = new Map<string, CaseResult[]>()
const outputs = new Map<string, string>()

beforeAll(async () => {
  const seeds = ctx.cluster.seeds.join(',')
  results.set(
    'workerd',
    await runInWorkerd<CaseResult[]>('./workerd/cluster-worker.ts', { bindings: { CLUSTER_SEEDS: seeds } }),
  )
  const deno = await runDenoTest('test/runtimes/deno/cluster-client.test.ts', { CLUSTER_SEEDS: seeds })
  results.set('Deno', deno.results)
  outputs.set('Deno', deno.output)
}, 120_000)

for (const runtime of ['workerd', 'Deno']) {
  describe(`the cluster client inside ${runtime}`, () => {
    for (const testCase of clusterCases) {
      it(testCase.name, () => {
        const result = results.get(runtime)?.find((r) => r.name === testCase.name)
        expect(result, outputs.get(runtime)?.slice(-3000)).toMatchObject({ name: testCase.name, ok: true })
      })
    }

    it('spread its keys over all three primaries', async () => {
      const prefix = runtime === 'Deno' ? 'rt:deno:route:*' : 'rt:workerd:route:*'
      const primaries = (await ctx.cluster.view()).filter((node) => node.role === 'primary')
      const counts = await Promise.all(
        primaries.map(
          async (node) =>
            (await ctx.cluster.cli(node.port, 'KEYS', prefix)).split('\n').filter(Boolean).length,
        ),
      )
      expect(counts.reduce((a, b) => a + b)).toBe(60)
      expect(counts.every((n) => n > 0)).toBe(true)
    })
  })
}
