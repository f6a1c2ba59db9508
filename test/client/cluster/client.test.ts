import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createClusterClient } from '../../../src/client/cluster/client.ts'
import { keySlot } from '../../../src/client/cluster/slot.ts'
import { clientFromEnv, createClient } from '../../../src/client/create-client.ts'
import { defineScript } from '../../../src/client/script.ts'
import type { Client } from '../../../src/client/types.ts'
import { ConfigError, ReplyError, TransportError } from '../../../src/errors.ts'
import type { ValkeyCluster } from '../../support/cluster.ts'
import { calls, errorCount } from '../../support/cluster-stats.ts'
import { useCluster } from '../../support/use-cluster.ts'
import { freePort, startValkey } from '../../support/valkey.ts'

const ctx = useCluster()
let client: Client

beforeAll(() => {
  client = createClusterClient({ url: ctx.cluster.url, connect })
})
afterAll(() => client.close())

const primaryPorts = async (cluster: ValkeyCluster) =>
  (await cluster.view()).filter((node) => node.role === 'primary' && !node.failed).map((node) => node.port)
/** Resolves once `check` holds, polling every 20 ms for up to 5 s. */
const until = async (check: () => Promise<boolean>) => {
  for (const deadline = Date.now() + 5000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error('until(): the condition never held')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
/** A key in `slot`, made from `base`. */
const keyInSlot = (slot: number, base: string) => {
  for (let i = 0; ; i++) if (keySlot(`${base}:${i}`) === slot) return `${base}:${i}`
}
/** A key whose slot the primary on `port` serves, made from `base`. */
const keyOn = async (cluster: ValkeyCluster, port: number, base: string) => {
  const owner = (await cluster.view()).find((node) => node.port === port)!
  for (let i = 0; ; i++) {
    const slot = keySlot(`${base}:${i}`)
    if (owner.slots.some(([a, b]) => a <= slot && slot <= b)) return `${base}:${i}`
  }
}

describe('cluster client: routing', () => {
  it('sends each command to the node serving its slot, without a single MOVED', async () => {
    const ports = await primaryPorts(ctx.cluster)
    const movedBefore = await errorCount(ctx.cluster, ports, 'MOVED')
    const keys = Array.from({ length: 200 }, (_, i) => `route:${i}`)
    await Promise.all(keys.map((key, i) => client.send(['SET', key, `v${i}`])))
    expect(await Promise.all(keys.map((key) => client.send(['GET', key])))).toEqual(
      keys.map((_, i) => `v${i}`),
    )
    expect(await errorCount(ctx.cluster, ports, 'MOVED')).toBe(movedBefore)
    // Each key is stored on the primary that owns its slot.
    for (const key of keys.slice(0, 20)) {
      const port = await ctx.cluster.primaryOf(keySlot(key))
      expect(await ctx.cluster.cli(port, 'GET', key)).toBe(`v${keys.indexOf(key)}`)
    }
    expect(new Set(await Promise.all(keys.map((key) => ctx.cluster.primaryOf(keySlot(key))))).size).toBe(3)
  })

  it('answers keys that share a hash tag from one node, and multi-key commands on them work', async () => {
    await client.send(['MSET', '{user:7}:a', '1', '{user:7}:b', '2'])
    expect(await client.send(['MGET', '{user:7}:a', '{user:7}:b'])).toEqual(['1', '2'])
    expect(await client.send(['DEL', '{user:7}:a', '{user:7}:b'])).toBe(2)
  })

  it('refuses a command whose keys span slots with a CROSSSLOT ReplyError, before sending it', async () => {
    const ports = await primaryPorts(ctx.cluster)
    const before = (await Promise.all(ports.map((port) => calls(ctx.cluster, port, 'MGET')))).reduce(
      (a, b) => a + b,
    )
    const error = await client.send(['MGET', 'cross:a', 'cross:b']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReplyError)
    expect((error as ReplyError).code).toBe('CROSSSLOT')
    expect((error as ReplyError).message).toMatch(/hash tag/)
    const after = (await Promise.all(ports.map((port) => calls(ctx.cluster, port, 'MGET')))).reduce(
      (a, b) => a + b,
    )
    expect(after).toBe(before)
  })

  it('sends keyless commands to a primary, and whole-keyspace commands to all of them', async () => {
    expect(await client.send(['PING'])).toBe('PONG')
    expect(await client.send(['ECHO', 'hi'])).toBe('hi')
    await client.send(['FLUSHALL'])
    await Promise.all(Array.from({ length: 30 }, (_, i) => client.send(['SET', `size:${i}`, 'x'])))
    expect(await client.send(['DBSIZE'])).toBe(30)
    expect(((await client.send(['KEYS', 'size:*'])) as string[]).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `size:${i}`).sort(),
    )
    const scan = await client.send(['SCAN', '0']).catch((e: unknown) => e)
    expect((scan as ReplyError).message).toMatch(/SCAN walks one node/)
  })

  it('looks up commands it has no table entry for with COMMAND INFO, and routes them right', async () => {
    // ZUNIONSTORE has movable keys (COMMAND GETKEYS); SINTERCARD too; LCS is plain first/last.
    await client.send(['ZADD', '{z}a', '1', 'x'])
    await client.send(['ZADD', '{z}b', '2', 'x'])
    expect(await client.send(['ZUNIONSTORE', '{z}c', '2', '{z}a', '{z}b'])).toBe(1)
    expect(await client.send(['ZSCORE', '{z}c', 'x'])).toBe('3')
    await client.send(['SET', '{l}1', 'ohmytext'])
    await client.send(['SET', '{l}2', 'mynewtext'])
    expect(await client.send(['LCS', '{l}1', '{l}2'])).toBe('mytext')
    const error = await client.send(['ZUNIONSTORE', 'zu:c', '2', 'zu:a', 'zu:b']).catch((e: unknown) => e)
    expect((error as ReplyError).code).toBe('CROSSSLOT')
    // A name the server does not know reaches a node, which answers with its own error.
    const unknown = await client.send(['NOSUCHCOMMAND', 'k']).catch((e: unknown) => e)
    expect((unknown as ReplyError).message).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/)
  })
})

describe('cluster client: pipelines', () => {
  it('splits a pipeline by node and returns the replies in the caller order, errors in place', async () => {
    await client.send(['SET', 'pipe:str', 'text'])
    const commands: (string | number)[][] = []
    for (let i = 0; i < 300; i++) {
      commands.push(['INCRBY', `pipe:${i}`, i])
      if (i % 50 === 0) commands.push(['HGET', 'pipe:str', 'field']) // WRONGTYPE, in place
      commands.push(['GET', `pipe:${i}`])
    }
    const ports = await primaryPorts(ctx.cluster)
    const before = await Promise.all(ports.map((port) => calls(ctx.cluster, port, 'INCRBY')))
    const replies = await client.pipeline(commands)
    let k = 0
    for (let i = 0; i < 300; i++) {
      expect(replies[k++]).toBe(i)
      if (i % 50 === 0) {
        expect(replies[k]).toBeInstanceOf(ReplyError)
        expect((replies[k++] as ReplyError).code).toBe('WRONGTYPE')
      }
      expect(replies[k++]).toBe(String(i))
    }
    // Every node got its share: 300 INCRBY in total, some on each primary.
    const after = await Promise.all(ports.map((port) => calls(ctx.cluster, port, 'INCRBY')))
    const shares = after.map((n, i) => n - before[i]!)
    expect(shares.reduce((a, b) => a + b)).toBe(300)
    expect(shares.every((n) => n > 50)).toBe(true)
  })

  it('answers a cross-slot entry with CROSSSLOT in its place and runs the rest', async () => {
    const replies = await client.pipeline([
      ['SET', 'pc:1', 'a'],
      ['MGET', 'pc:1', 'pc:2'],
      ['GET', 'pc:1'],
    ])
    expect(replies[0]).toBe('OK')
    expect((replies[1] as ReplyError).code).toBe('CROSSSLOT')
    expect(replies[2]).toBe('a')
  })

  it('runs MULTI ... EXEC on the slot node when its keys share a slot, and refuses it across slots', async () => {
    const replies = await client.pipeline([['MULTI'], ['INCR', '{tx}:a'], ['INCRBY', '{tx}:b', 5], ['EXEC']])
    expect(replies).toEqual(['OK', 'QUEUED', 'QUEUED', [1, 5]])
    const crossed = await client.pipeline([
      ['GET', 'tx:x'],
      ['MULTI'],
      ['INCR', 'tx:a'],
      ['INCR', 'tx:b'],
      ['EXEC'],
    ])
    expect(crossed[0]).toBeNull()
    for (const reply of crossed.slice(1)) expect((reply as ReplyError).code).toBe('CROSSSLOT')
    expect(await client.send(['GET', 'tx:a'])).toBeNull()
  })
})

describe('cluster client: WAIT in a pipeline', () => {
  it("sends a WAIT that follows a keyed command to that command's node, for each node", async () => {
    const [a, b] = await primaryPorts(ctx.cluster)
    const [keyA, keyB] = [await keyOn(ctx.cluster, a!, 'wait-a'), await keyOn(ctx.cluster, b!, 'wait-b')]
    // Freeze a's replica: only a WAIT on a's node can count fewer than one acknowledgement.
    const replicaA = await ctx.cluster.replicaOf(a!)
    const server = ctx.cluster.servers.find((s) => s.port === replicaA)!
    server.pause()
    try {
      const replies = await client.pipeline([
        ['SET', keyB, '1'],
        ['WAIT', 1, 2000],
        ['SET', keyA, '1'],
        ['WAIT', 1, 200],
        ['INCR', keyB],
        ['WAIT', 1, 2000],
      ])
      expect(replies).toEqual(['OK', 1, 'OK', 0, 2, 1])
    } finally {
      server.resume()
    }
    expect(
      await client.pipeline([
        ['INCR', keyA],
        ['WAIT', 1, 2000],
      ]),
    ).toEqual([2, 1])
  })
})

describe('cluster client: scripts', () => {
  const bump = defineScript({
    name: 'bump',
    lua: `-- KEYS[1], KEYS[2] counters; ARGV[1] step
return { redis.call('INCRBY', KEYS[1], ARGV[1]), redis.call('INCRBY', KEYS[2], ARGV[1]) }`,
  })

  it('runs a script on the node of its keys, loading it there on first use', async () => {
    await client.send(['SCRIPT', 'FLUSH'])
    for (let id = 0; id < 12; id++) {
      const keys = [`{script:${id}}:a`, `{script:${id}}:b`]
      expect(await client.eval(bump, keys, [2])).toEqual([2, 2])
      expect(await client.eval(bump, keys, [3])).toEqual([5, 5])
      const port = await ctx.cluster.primaryOf(keySlot(keys[0]!))
      expect(await ctx.cluster.cli(port, 'GET', keys[1]!)).toBe('5')
    }
    // Loaded once per primary (EVAL on NOSCRIPT), then EVALSHA everywhere.
    const ports = await primaryPorts(ctx.cluster)
    const evals = await Promise.all(ports.map((port) => calls(ctx.cluster, port, 'EVAL')))
    expect(evals).toEqual([1, 1, 1])
  })

  it('refuses a script whose keys span slots with CROSSSLOT', async () => {
    const error = await client.eval(bump, ['s:a', 's:b'], [1]).catch((e: unknown) => e)
    expect((error as ReplyError).code).toBe('CROSSSLOT')
  })
})

describe('cluster client: seeds', () => {
  it('fails with a TransportError naming the cause when no seed answers, quickly, and keeps no hold', async () => {
    const [a, b] = [await freePort(), await freePort()]
    const nobody = createClusterClient({ nodes: [`127.0.0.1:${a}`, `127.0.0.1:${b}`], connect })
    try {
      const started = performance.now()
      const error = await nobody.send(['GET', 'k']).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TransportError)
      expect((error as Error).message).toMatch(/could not read the cluster map from any of 2 nodes/)
      expect(performance.now() - started).toBeLessThan(3000)
      // Asked again, it tries again (the first failure is not cached).
      expect(await nobody.send(['GET', 'k']).catch((e: unknown) => e)).toBeInstanceOf(TransportError)
    } finally {
      await nobody.close()
    }
  })

  it('after close, fails a command at once with TransportError instead of retrying', async () => {
    const closing = createClusterClient({ url: ctx.cluster.url, connect })
    expect(await closing.send(['PING'])).toBe('PONG')
    await closing.close()
    const started = performance.now()
    const error = await closing.send(['GET', 'k']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as Error).message).toMatch(/closed/)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('says so when a seed is not a cluster node', async () => {
    const plain = await startValkey()
    const wrong = createClusterClient({ url: plain.url, connect })
    try {
      const error = await wrong.send(['GET', 'k']).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TransportError)
      expect((error as Error).message).toMatch(/cluster-enabled yes/)
      expect((error as Error).message).toMatch(/cluster support disabled/)
    } finally {
      await wrong.close()
      await plain.stop()
    }
  })

  it('refuses misuse with a TypeError or ConfigError that says what to pass', () => {
    expect(() => createClusterClient({ connect })).toThrow(/needs seed nodes/)
    expect(() =>
      createClusterClient({ nodes: ['10.0.0.1:7000'], connect, readFrom: 'any' as never }),
    ).toThrow(/readFrom must be 'primary' or 'replica'/)
    expect(() => createClusterClient({ nodes: ['10.0.0.1:x'], connect })).toThrow(/is not host:port/)
    expect(() => createClusterClient({ nodes: ['10.0.0.1:7000'], connect, retryFor: -1 })).toThrow(
      /retryFor must be a whole number of ms \(0 or more\), received -1/,
    )
    expect(() => createClusterClient({ url: 'redis://:hunter2@h1:1,h2:notaport', connect })).toThrow(
      ConfigError,
    )
    try {
      createClusterClient({ url: 'redis://:hunter2@h1:1,h2:notaport', connect })
    } catch (error) {
      expect((error as Error).message).not.toMatch(/hunter2/)
    }
  })

  it('starts from a list of seeds even when some of them are down', async () => {
    const seeds = ['127.0.0.1:1', ...ctx.cluster.seeds.slice(1)]
    const other = createClusterClient({ nodes: seeds, connect })
    try {
      expect(await other.send(['SET', 'seeded', 'yes'])).toBe('OK')
      expect(await client.send(['GET', 'seeded'])).toBe('yes')
    } finally {
      await other.close()
    }
  })
})

describe('createClient and clientFromEnv', () => {
  it('give a cluster client for a URL with several seeds, or with cluster: true', async () => {
    const clients = [
      createClient(ctx.cluster.url, { connect }),
      clientFromEnv({ FLOODGATE_URL: ctx.cluster.url }, { connect }),
      createClient(`redis://${ctx.cluster.seeds[0]}`, { connect, cluster: true }),
      createClient(`redis://${ctx.cluster.seeds[1]}`, { connect, cluster: { readFrom: 'replica' } }),
    ]
    try {
      for (const [i, each] of clients.entries()) {
        expect(each.kind).toBe('cluster')
        // Keys on every node: a single-node client would answer MOVED for two thirds of them.
        const keys = Array.from({ length: 12 }, (_, k) => `env:${i}:${k}`)
        await Promise.all(keys.map((key) => each.send(['SET', key, key])))
        expect(await Promise.all(keys.map((key) => client.send(['GET', key])))).toEqual(keys)
      }
    } finally {
      await Promise.all(clients.map((each) => each.close()))
    }
  })

  it('refuses a cluster URL with a database other than 0', () => {
    expect(() => createClient(`${ctx.cluster.url}/2`, { connect })).toThrow(/only database 0/)
  })
})

describe('cluster client: replica reads', () => {
  it("serves read-only commands from the slot's replica and writes from its primary", async () => {
    const reader = createClusterClient({ url: ctx.cluster.url, connect, readFrom: 'replica' })
    try {
      const key = 'replica:key'
      const primary = await ctx.cluster.primaryOf(keySlot(key))
      const replica = await ctx.cluster.replicaOf(primary)
      const writesBefore = await calls(ctx.cluster, primary, 'SET')
      expect(await reader.send(['SET', key, 'fresh'])).toBe('OK')
      expect((await calls(ctx.cluster, primary, 'SET')) - writesBefore).toBe(1)
      await ctx.cluster.cli(primary, 'WAIT', '1', '2000')
      const readsBefore = await calls(ctx.cluster, replica, 'GET')
      expect(await reader.send(['GET', key])).toBe('fresh')
      expect(
        await reader.pipeline([
          ['GET', key],
          ['PTTL', key],
        ]),
      ).toEqual(['fresh', -1])
      expect((await calls(ctx.cluster, replica, 'GET')) - readsBefore).toBe(2)
    } finally {
      await reader.close()
    }
  })
})

describe('cluster client: redirections', () => {
  it('follows MOVED after a slot changes owner behind its back, and patches its map', async () => {
    const ports = await primaryPorts(ctx.cluster)
    const [from, to] = [ports[0]!, ports[1]!]
    const lowest = Math.min(
      ...(await ctx.cluster.view()).find((node) => node.port === from)!.slots.map(([a]) => a),
    )
    const key = keyInSlot(lowest, 'moved')
    await client.send(['SET', key, 'before'])
    await ctx.cluster.reshard(from, to, 1)
    const moved = await errorCount(ctx.cluster, [from], 'MOVED')
    expect(await client.send(['GET', key])).toBe('before')
    expect(await errorCount(ctx.cluster, [from], 'MOVED')).toBe(moved + 1)
    expect(await client.send(['SET', key, 'after'])).toBe('OK')
    expect(await errorCount(ctx.cluster, [from], 'MOVED')).toBe(moved + 1)
    expect(await ctx.cluster.cli(to, 'GET', key)).toBe('after')
  })

  it('follows MOVED for the entries of a pipeline, in the caller order', async () => {
    const ports = await primaryPorts(ctx.cluster)
    const [from, to] = [ports[1]!, ports[2]!]
    const lowest = Math.min(
      ...(await ctx.cluster.view()).find((node) => node.port === from)!.slots.map(([a]) => a),
    )
    const [a, b] = [keyInSlot(lowest, 'pmoved-a'), keyInSlot(lowest, 'pmoved-b')]
    const stay = await keyOn(ctx.cluster, from, 'pstay')
    await client.pipeline([
      ['SET', a, '1'],
      ['SET', b, '2'],
    ])
    await ctx.cluster.reshard(from, to, 1)
    const moved = await errorCount(ctx.cluster, [from], 'MOVED')
    expect(
      await client.pipeline([
        ['INCR', a],
        ['SET', stay, 'here'],
        ['INCR', b],
        ['GET', a],
      ]),
    ).toEqual([2, 'OK', 3, '2'])
    // Every entry for the moved slot bounced once, and never again once the map was patched.
    expect(await errorCount(ctx.cluster, [from], 'MOVED')).toBe(moved + 3)
    expect(
      await client.pipeline([
        ['GET', b],
        ['GET', stay],
      ]),
    ).toEqual(['3', 'here'])
    expect(await errorCount(ctx.cluster, [from], 'MOVED')).toBe(moved + 3)
  })

  it('follows ASK to the importing node during a migration, and the map stays put', async () => {
    const ports = await primaryPorts(ctx.cluster)
    const [from, to] = [ports[2]!, ports[0]!]
    const view = await ctx.cluster.view()
    const id = (port: number) => view.find((node) => node.port === port)!.id
    const migrated = await keyOn(ctx.cluster, from, 'ask')
    const slot = keySlot(migrated)
    const fresh = keyInSlot(slot, 'ask-new')
    await client.send(['SET', migrated, 'moving'])
    const pair = [`{${migrated}}:a`, `{${migrated}}:b`]
    await client.send(['MSET', pair[0]!, 'a', pair[1]!, 'b'])
    await ctx.cluster.cli(to, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', id(from))
    await ctx.cluster.cli(from, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', id(to))
    await ctx.cluster.cli(from, 'MIGRATE', '127.0.0.1', String(to), migrated, '0', '5000')
    const asked = await errorCount(ctx.cluster, [from], 'ASK')
    expect(await client.send(['GET', migrated])).toBe('moving')
    expect(await client.send(['SET', fresh, 'new'])).toBe('OK') // a new key of a migrating slot goes to the target
    expect(
      await client.pipeline([
        ['GET', migrated],
        ['GET', fresh],
      ]),
    ).toEqual(['moving', 'new'])
    expect(await errorCount(ctx.cluster, [from], 'ASK')).toBe(asked + 4)
    // A WAIT after a command goes with it, behind ASKING, to the importing node.
    expect(
      await client.pipeline([
        ['GET', migrated],
        ['WAIT', 1, 2000],
      ]),
    ).toEqual(['moving', 1])
    expect(await errorCount(ctx.cluster, [from], 'ASK')).toBe(asked + 5)
    // Half of a tagged pair migrated: the source answers TRYAGAIN, and the client keeps trying
    // until the migration completes.
    const tryAgain = await errorCount(ctx.cluster, [from], 'TRYAGAIN')
    await ctx.cluster.cli(from, 'MIGRATE', '127.0.0.1', String(to), pair[0]!, '0', '5000')
    const mget = client.send(['MGET', ...pair], { timeout: 15_000 })
    await until(async () => (await errorCount(ctx.cluster, [from], 'TRYAGAIN')) > tryAgain)
    await ctx.cluster.cli(from, 'MIGRATE', '127.0.0.1', String(to), pair[1]!, '0', '5000')
    for (const port of ports) await ctx.cluster.cli(port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', id(to))
    expect(await mget).toEqual(['a', 'b'])
    await ctx.cluster.waitHealthy()
    expect(await ctx.cluster.cli(to, 'GET', fresh)).toBe('new')
    expect(await client.send(['GET', fresh])).toBe('new')
  })
})
