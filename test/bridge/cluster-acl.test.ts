/**
 * On a Valkey Cluster the bridge sets its ACL users up on every node, primaries and replicas
 * (ACL rules travel neither by replication nor over the cluster bus), so a script is held to the
 * policy whichever node runs it, and a replica promoted later already knows the users.
 */
import { describe, expect, it } from 'vitest'
import { useCluster } from '../support/use-cluster.ts'
import { post, READ_TOKEN, useBridge } from './support.ts'

const use = useCluster()
const bridge = useBridge(
  {
    get url() {
      return use.cluster.url
    },
  },
  { cluster: true },
)

describe('the bridge in front of a Valkey Cluster', () => {
  it('creates its ACL users on every node, replicas included', async () => {
    const { cluster } = use
    expect(cluster.servers.length).toBe(6)
    for (const server of cluster.servers) {
      for (const user of ['floodgate-full', 'floodgate-ro']) {
        expect(
          await cluster.cli(server.port, 'ACL', 'DRYRUN', user, 'GET', 'k'),
          `${user} on ${server.port}`,
        ).toBe('OK')
        expect(await cluster.cli(server.port, 'ACL', 'DRYRUN', user, 'FLUSHALL')).toMatch(/no permissions/)
      }
    }
  })

  it('runs commands as the class users and refuses FLUSHALL inside a script on the node that runs it', async () => {
    for (const key of ['a', 'b', 'c', 'd']) {
      expect(await post(bridge.url, ['SET', key, '1'])).toMatchObject({ status: 200, json: { result: 'OK' } })
      const wipe = await post(bridge.url, ['EVAL', "return redis.call('FLUSHALL')", '1', key])
      expect((wipe.json as { error: string }).error).toMatch(
        /User floodgate-full has no permissions to run the 'flushall' command/,
      )
      expect(await post(bridge.url, ['GET', key], { authorization: `Bearer ${READ_TOKEN}` })).toMatchObject({
        status: 200,
        json: { result: '1' },
      })
    }
  })
})
