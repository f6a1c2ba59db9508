/**
 * A Worker that runs the cluster cases inside workerd, over `cloudflare:sockets`, against the
 * cluster seeds in `env.CLUSTER_SEEDS`, and answers with one result per case. A fresh client per
 * request: Workers cannot reuse a socket across requests.
 */
import { connect } from 'cloudflare:sockets'
import { cloudflareConnect } from '../../../adapters/cloudflare/socket.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { simpleAssert } from '../../client/assert.ts'
import { clusterCases } from '../../client/cluster/cases.ts'

export default {
  async fetch(_request: Request, env: { CLUSTER_SEEDS: string }): Promise<Response> {
    const client = createClusterClient({
      url: `redis://${env.CLUSTER_SEEDS}`,
      connect: cloudflareConnect(connect),
    })
    const results: Array<{ name: string; ok: boolean; error?: string }> = []
    for (const testCase of clusterCases) {
      try {
        await testCase.run(client, simpleAssert, 'rt:workerd:')
        results.push({ name: testCase.name, ok: true })
      } catch (error) {
        results.push({
          name: testCase.name,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        })
      }
    }
    await client.close()
    return Response.json(results)
  },
}
