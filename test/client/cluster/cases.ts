/**
 * Runtime-neutral cluster cases, `{ name, run(client, assert) }` like the client suite, run by the
 * cluster client inside workerd and Deno over their own sockets (`test/runtimes/cluster.test.ts`).
 * Keys start with `rt:<runtime>:` so the Node side can check where they landed.
 */
import { defineScript } from '../../../src/client/script.ts'
import type { Client } from '../../../src/client/types.ts'
import type { Assert } from '../client.suite.ts'

export interface ClusterCase {
  readonly name: string
  run(client: Client, assert: Assert, prefix: string): Promise<void>
}

const bump = defineScript({
  name: 'bump',
  lua: `-- KEYS[1], KEYS[2] counters; ARGV[1] step
return { redis.call('INCRBY', KEYS[1], ARGV[1]), redis.call('INCRBY', KEYS[2], ARGV[1]) }`,
})

export const clusterCases: readonly ClusterCase[] = [
  {
    name: 'routes 60 keys to the nodes serving their slots',
    async run(client, assert, prefix) {
      const keys = Array.from({ length: 60 }, (_, i) => `${prefix}route:${i}`)
      await Promise.all(keys.map((key) => client.send(['SET', key, key])))
      assert.deepEqual(await Promise.all(keys.map((key) => client.send(['GET', key]))), keys)
    },
  },
  {
    name: 'splits a pipeline by node and answers in order',
    async run(client, assert, prefix) {
      const commands = Array.from({ length: 40 }, (_, i) => ['INCRBY', `${prefix}pipe:${i}`, i])
      assert.deepEqual(
        await client.pipeline(commands),
        commands.map((_, i) => i),
      )
    },
  },
  {
    name: 'runs a script on the node of its tagged keys',
    async run(client, assert, prefix) {
      const keys = [`{${prefix}script}:a`, `{${prefix}script}:b`]
      assert.deepEqual(await client.eval(bump, keys, [2]), [2, 2])
      assert.deepEqual(await client.eval(bump, keys, [3]), [5, 5])
    },
  },
  {
    name: 'refuses keys across slots with CROSSSLOT',
    async run(client, assert, prefix) {
      await assert.rejects(client.send(['MGET', `${prefix}x:1`, `${prefix}x:2`]), {
        name: 'ReplyError',
        code: 'CROSSSLOT',
      })
    },
  },
  {
    name: 'runs MULTI ... EXEC within one slot',
    async run(client, assert, prefix) {
      const replies = await client.pipeline([
        ['MULTI'],
        ['INCR', `{${prefix}tx}:a`],
        ['INCR', `{${prefix}tx}:a`],
        ['EXEC'],
      ])
      assert.deepEqual(replies, ['OK', 'QUEUED', 'QUEUED', [1, 2]])
    },
  },
]
