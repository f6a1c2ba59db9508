/**
 * The limiter suite and the stateful session suite, unchanged, on a real Valkey Cluster (3
 * primaries, 3 replicas): the limiter through the cluster client over TCP, and both through the
 * bridge fronting the cluster (HTTP client -> bridge -> cluster client). Their keys carry hash
 * tags, so every script touches one slot. (The session suite over TCP on a cluster runs in
 * test/session/stateful-cluster.test.ts.) Also the bridge's own cluster behaviour: pipelines and
 * transactions across nodes.
 */

import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, nodeFetch } from '../../../adapters/node/index.ts'
import { parseConfig } from '../../../src/bridge/config.ts'
import { startBridge } from '../../../src/bridge/node/start.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { createHttpClient } from '../../../src/client/http/client.ts'
import type { Client } from '../../../src/client/types.ts'
import { post, TOKEN, useBridge } from '../../bridge/support.ts'
import { limiterSuite } from '../../limit/limiter.suite.ts'
import { statefulSuite } from '../../session/stateful.suite.ts'
import { useCluster } from '../../support/use-cluster.ts'
import { freePort } from '../../support/valkey.ts'

const ctx = useCluster()
const bridge = useBridge({
  get url() {
    return ctx.cluster.url
  },
})
const clients: Client[] = []
const track = (client: Client) => {
  clients.push(client)
  return client
}
afterAll(() => Promise.all(clients.map((client) => client.close())))

/** Each run starts on an empty cluster: the suites use fixed keys (prefix 'concurrent'). */
const flushFirst = () =>
  beforeAll(async () => {
    const client = createClusterClient({ url: ctx.cluster.url, connect })
    await client.send(['FLUSHALL'])
    await client.close()
  })

describe('over TCP', () => {
  flushFirst()
  // On a loaded machine opening a node connection can take longer than the cluster client's 2 s
  // default; the 2,000-call case would then answer by its deny policy (reason 'timeout').
  limiterSuite(
    'a Valkey Cluster over TCP',
    () => track(createClusterClient({ url: ctx.cluster.url, connect, connectTimeout: 10_000 })),
    { concurrentTimeout: 15_000 },
  )
})

describe('through the bridge', () => {
  flushFirst()
  limiterSuite(
    'a Valkey Cluster through the bridge',
    () => track(createHttpClient({ url: bridge.url, token: TOKEN, fetch: nodeFetch() })),
    { concurrentTimeout: 10_000 },
  )
  statefulSuite('a Valkey Cluster through the bridge', {
    client: () => track(createHttpClient({ url: bridge.url, token: TOKEN, fetch: nodeFetch() })),
  })
})

describe('the bridge in front of a cluster', () => {
  it('is configured as a cluster by an upstream listing several seeds, or by --cluster', () => {
    const seeds = parseConfig(['--token', TOKEN, '--upstream', 'redis://10.0.0.1:7000,10.0.0.2:7000'], {})
    expect(seeds).toMatchObject({ cluster: true, upstream: 'redis://10.0.0.1:7000,10.0.0.2:7000' })
    expect(
      parseConfig(['--token', TOKEN, '--upstream', 'redis://10.0.0.1:7000', '--cluster'], {}),
    ).toMatchObject({
      cluster: true,
    })
    expect(parseConfig(['--token', TOKEN], { FLOODGATE_CLUSTER: 'true' })).toMatchObject({ cluster: true })
    expect(parseConfig(['--token', TOKEN], {})).not.toHaveProperty('cluster')
    expect(() => parseConfig(['--token', TOKEN, '--cluster=maybe'], {})).toThrow(/--cluster takes no value/)
    expect(() => parseConfig(['--token', TOKEN, '--upstream', 'redis://a:1,b:x'], {})).toThrow(/--upstream/)
  })

  it('runs a pipeline spread over every node, replies in order', async () => {
    const commands = Array.from({ length: 60 }, (_, i) => ['INCRBY', `bridge:pipe:${i}`, String(i)])
    const { status, json } = await post(`${bridge.url}/pipeline`, commands)
    expect(status).toBe(200)
    expect(json).toEqual(commands.map((_, i) => ({ result: i })))
  })

  it('runs /multi-exec whose keys share a slot on that node, atomically', async () => {
    const { status, json } = await post(`${bridge.url}/multi-exec`, [
      ['SET', '{cart:9}:items', '3'],
      ['INCR', '{cart:9}:items'],
      ['GET', '{cart:9}:items'],
    ])
    expect(status).toBe(200)
    expect(json).toEqual([{ result: 'OK' }, { result: 4 }, { result: '4' }])
  })

  it('refuses /multi-exec across slots with a clear CROSSSLOT error, and runs none of it', async () => {
    const { status, json } = await post(`${bridge.url}/multi-exec`, [
      ['SET', 'tx:left', '1'],
      ['SET', 'tx:right', '1'],
    ])
    expect(status).toBe(400)
    expect((json as { error: string }).error).toMatch(/^CROSSSLOT .*MULTI \.\.\. EXEC under one hash tag/)
    expect(await post(bridge.url, ['EXISTS', 'tx:left'])).toMatchObject({ json: { result: 0 } })
  })

  it('serves the unmodified @upstash/redis client: strings, hashes, pipelines, scripts, pub/sub', async () => {
    const redis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })
    const keys = Array.from({ length: 30 }, (_, i) => `upstash:${i}`)
    await Promise.all(keys.map((key, i) => redis.set(key, { n: i })))
    expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys.map((_, i) => ({ n: i })))
    await redis.hset('{upstash}:h', { a: 1, b: 'two' })
    expect(await redis.hgetall('{upstash}:h')).toEqual({ a: 1, b: 'two' })
    const pipe = redis.pipeline()
    for (const key of keys.slice(0, 10)) pipe.incr(`${key}:n`)
    expect(await pipe.exec()).toEqual(Array.from({ length: 10 }, () => 1))
    expect(await redis.eval('return redis.call("INCRBY", KEYS[1], ARGV[1])', ['{upstash}:e'], [5])).toBe(5)
    expect(await redis.mset({ '{m}:a': 1, '{m}:b': 2 })).toBe('OK')
    await expect(redis.mget('m:a', 'm:b')).rejects.toThrow(/CROSSSLOT/)

    const sub = redis.subscribe<string>(['cluster-chat'])
    const got: unknown[] = []
    const subscribed = new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))
    sub.on('message', (m) => got.push(m))
    await subscribed
    // Published on each primary, two of them not the subscriber's: classic pub/sub crosses the cluster.
    try {
      for (const port of ctx.cluster.seeds.map((seed) => Number(seed.split(':')[1]))) {
        await ctx.cluster.cli(port, 'PUBLISH', 'cluster-chat', `from ${port}`)
      }
      await expect.poll(() => got.length).toBe(3)
      expect(got.map((m) => (m as { message: string }).message).sort()).toEqual(
        ctx.cluster.seeds.map((seed) => `from ${seed.split(':')[1]}`).sort(),
      )
    } finally {
      await sub.unsubscribe()
    }
  })

  it('opens a subscription on the next seed when the first is down', async () => {
    const dead = await freePort()
    const config = parseConfig(['--token', TOKEN, '--listen', '127.0.0.1:0'], {})
    if (config === 'help') throw new Error('unreachable')
    const server = await startBridge({
      ...config,
      upstream: `redis://127.0.0.1:${dead},${ctx.cluster.seeds.join(',')}`,
    })
    try {
      const redis = new Redis({ url: server.url, token: TOKEN, enableTelemetry: false })
      expect(await redis.set('after-dead-seed', 'yes')).toBe('OK')
      const sub = redis.subscribe<string>(['dead-seed-chat'])
      const got: unknown[] = []
      const subscribed = new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))
      sub.on('message', (m) => got.push(m))
      await subscribed
      await ctx.cluster.cli(Number(ctx.cluster.seeds[2]!.split(':')[1]), 'PUBLISH', 'dead-seed-chat', 'hello')
      await expect.poll(() => got.length).toBe(1)
      await sub.unsubscribe()
    } finally {
      await server.close()
    }
  })

  it('answers a single cross-slot command with 400 and CROSSSLOT', async () => {
    const { status, json } = await post(bridge.url, ['MGET', 'x:1', 'x:2'])
    expect(status).toBe(400)
    expect((json as { error: string }).error).toMatch(/^CROSSSLOT /)
  })
})
