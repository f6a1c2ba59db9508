/**
 * The runtime-neutral client suite: plain data, a list of `{ name, run(client, assert) }`, so the
 * same cases run over every transport (TCP, HTTP via the bridge, memory) and inside every runtime
 * (Node, workerd, Deno). Only behaviour every `Client` shares lives here; reconnects and other
 * transport specifics belong to each transport's own tests. Keys carry a random prefix, so runs
 * can share a server.
 */
import { defineScript } from '../../src/client/script.ts'
import type { Client } from '../../src/client/types.ts'

/** The few assertions the cases need; each runner maps them onto its test framework. */
export interface Assert {
  equal(actual: unknown, expected: unknown, message?: string): void
  deepEqual(actual: unknown, expected: unknown, message?: string): void
  /** Awaits `promise` and checks it rejected with an error matching every given field. */
  rejects(
    promise: Promise<unknown>,
    expected: { name?: string; code?: string; message?: RegExp },
  ): Promise<void>
}

export interface ClientCase {
  readonly name: string
  run(client: Client, assert: Assert): Promise<void>
}

const key = (name: string): string => `suite:${crypto.randomUUID()}:${name}`

/** A script whose Lua is new to the server on every run, so its first call takes the NOSCRIPT path. */
const freshCounter = () =>
  defineScript({
    name: 'suiteCounter',
    lua: `-- KEYS[1] counter; ARGV[1] ttl ms; run ${crypto.randomUUID()}
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n`,
    twin: (redis, keys, argv) => {
      const n = redis.call('INCR', keys[0]!)
      redis.call('PEXPIRE', keys[0]!, argv[0]!)
      return n
    },
  })

const allBytes = (): Uint8Array => Uint8Array.from({ length: 256 }, (_, i) => i)

export const clientSuite: readonly ClientCase[] = [
  {
    name: 'SET then GET returns the value; GET of a missing key returns null',
    async run(client, assert) {
      const k = key('get')
      assert.equal(await client.send(['SET', k, 'hello']), 'OK')
      assert.equal(await client.send(['GET', k]), 'hello')
      assert.equal(await client.send(['GET', key('missing')]), null)
    },
  },
  {
    name: 'integer replies are numbers and number arguments are sent in decimal',
    async run(client, assert) {
      const k = key('incr')
      assert.equal(await client.send(['INCR', k]), 1)
      assert.equal(await client.send(['INCRBY', k, 41]), 42)
      assert.equal(await client.send(['INCRBY', k, -50]), -8)
      assert.equal(await client.send(['GET', k]), '-8')
    },
  },
  {
    name: 'DEL and EXISTS count keys',
    async run(client, assert) {
      const [a, b] = [key('a'), key('b')]
      await client.send(['SET', a, '1'])
      await client.send(['SET', b, '2'])
      assert.equal(await client.send(['EXISTS', a, b, key('none')]), 2)
      assert.equal(await client.send(['DEL', a, b]), 2)
      assert.equal(await client.send(['EXISTS', a]), 0)
    },
  },
  {
    name: 'expiry: SET PX sets a TTL that PTTL reports; a missing key has PTTL -2',
    async run(client, assert) {
      const k = key('ttl')
      await client.send(['SET', k, 'v', 'PX', 60_000])
      const pttl = (await client.send(['PTTL', k])) as number
      assert.equal(pttl > 50_000 && pttl <= 60_000, true, `PTTL ${pttl} within (50000, 60000]`)
      assert.equal(await client.send(['PEXPIRE', k, 5_000]), 1)
      const ttl = (await client.send(['TTL', k])) as number
      assert.equal(ttl >= 4 && ttl <= 5, true, `TTL ${ttl} within [4, 5]`)
      assert.equal(await client.send(['PTTL', key('none')]), -2)
    },
  },
  {
    name: 'hashes: HSET, HGET and HGETALL as a flat field/value array',
    async run(client, assert) {
      const k = key('hash')
      assert.equal(await client.send(['HSET', k, 'f1', 'v1', 'f2', 'v2']), 2)
      assert.equal(await client.send(['HGET', k, 'f2']), 'v2')
      const all = (await client.send(['HGETALL', k])) as string[]
      const pairs: Record<string, string> = {}
      for (let i = 0; i < all.length; i += 2) pairs[all[i]!] = all[i + 1]!
      assert.deepEqual(pairs, { f1: 'v1', f2: 'v2' })
    },
  },
  {
    name: 'TIME returns seconds and microseconds as strings',
    async run(client, assert) {
      const time = (await client.send(['TIME'])) as string[]
      assert.equal(time.length, 2)
      assert.equal(Math.abs(Number(time[0]) - Date.now() / 1000) < 60, true, 'server clock within a minute')
      assert.equal(/^\d+$/.test(time[1]!), true, 'microseconds are digits')
    },
  },
  {
    name: 'UTF-8 text round-trips unchanged',
    async run(client, assert) {
      const k = key('utf8')
      const text = 'naïve café — 日本語 😀 \u0000 end'
      await client.send(['SET', k, text])
      assert.equal(await client.send(['GET', k]), text)
    },
  },
  {
    name: 'a value that starts with U+FEFF keeps it (no byte-order mark is stripped)',
    async run(client, assert) {
      const k = key('bom')
      const text = '\uFEFFstarts with a BOM'
      await client.send(['SET', k, text])
      assert.equal(await client.send(['GET', k]), text)
      const [reply] = (await client.pipeline([['GET', k]])) as [unknown]
      assert.equal(reply, text)
    },
  },
  {
    name: 'binary values round-trip as bytes with { bytes: true }',
    async run(client, assert) {
      const k = key('bin')
      const bytes = allBytes()
      assert.equal(await client.send(['SET', k, bytes]), 'OK')
      assert.deepEqual(await client.send(['GET', k], { bytes: true }), bytes)
      assert.equal(await client.send(['STRLEN', k]), 256)
    },
  },
  {
    name: 'a 1 MB value round-trips',
    async run(client, assert) {
      const k = key('big')
      const value = `${'x'.repeat(1024 * 1024 - 1)}y`
      await client.send(['SET', k, value])
      const got = (await client.send(['GET', k])) as string
      assert.equal(got.length, value.length)
      assert.equal(got === value, true, 'the value came back unchanged')
    },
  },
  {
    name: 'a server error rejects with ReplyError carrying the server code',
    async run(client, assert) {
      const k = key('wrongtype')
      await client.send(['HSET', k, 'f', 'v'])
      await assert.rejects(client.send(['GET', k]), { name: 'ReplyError', code: 'WRONGTYPE' })
      await assert.rejects(client.send(['INCR', k]), { name: 'ReplyError', code: 'WRONGTYPE' })
    },
  },
  {
    name: 'an error reply leaves the client usable',
    async run(client, assert) {
      const k = key('after-error')
      await client.send(['SET', k, 'not a number'])
      await assert.rejects(client.send(['INCR', k]), { name: 'ReplyError', code: 'ERR' })
      assert.equal(await client.send(['GET', k]), 'not a number')
    },
  },
  {
    name: 'a pipeline answers in order, with per-command errors in place',
    async run(client, assert) {
      const k = key('pipe')
      const replies = await client.pipeline([
        ['SET', k, 'text'],
        ['INCR', k],
        ['GET', k],
        ['EXISTS', k],
      ])
      assert.equal(replies.length, 4)
      assert.equal(replies[0], 'OK')
      const error = replies[1] as { name?: string; code?: string }
      assert.equal(error.name, 'ReplyError')
      assert.equal(error.code, 'ERR')
      assert.equal(replies[2], 'text')
      assert.equal(replies[3], 1)
    },
  },
  {
    name: 'an empty pipeline resolves to an empty array',
    async run(client, assert) {
      assert.deepEqual(await client.pipeline([]), [])
    },
  },
  {
    name: '200 concurrent INCRs each get their own reply, in order of issue',
    async run(client, assert) {
      const k = key('concurrent')
      const replies = await Promise.all(Array.from({ length: 200 }, () => client.send(['INCR', k])))
      assert.deepEqual(
        replies,
        Array.from({ length: 200 }, (_, i) => i + 1),
      )
    },
  },
  {
    name: 'eval runs a new script through the NOSCRIPT fallback, then by SHA, with its effect each time',
    async run(client, assert) {
      const script = freshCounter()
      const k = key('script')
      assert.equal(await client.eval(script, [k], [60_000]), 1)
      assert.equal(await client.eval(script, [k], [60_000]), 2)
      assert.equal(await client.send(['GET', k]), '2')
      const pttl = (await client.send(['PTTL', k])) as number
      assert.equal(pttl > 0 && pttl <= 60_000, true, `the script set a TTL (${pttl})`)
    },
  },
  {
    name: 'concurrent first calls of one script all run exactly once each',
    async run(client, assert) {
      const script = freshCounter()
      const k = key('script-concurrent')
      const results = await Promise.all(Array.from({ length: 10 }, () => client.eval(script, [k], [60_000])))
      assert.deepEqual(
        [...(results as number[])].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      )
      assert.equal(await client.send(['GET', k]), '10')
    },
  },
  {
    name: 'a script error rejects with ReplyError and the command error code',
    async run(client, assert) {
      const script = freshCounter()
      const k = key('script-wrongtype')
      await client.send(['HSET', k, 'f', 'v'])
      await assert.rejects(client.eval(script, [k], [1000]), { name: 'ReplyError', code: 'WRONGTYPE' })
    },
  },
]
