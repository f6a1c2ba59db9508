/**
 * The real `@upstash/redis` client (npm) drives the bridge in front of a real Valkey 8, with the
 * base64 response encoding on (its default) and off, across every command family.
 */
import { Redis } from '@upstash/redis'
import { describe, expect, it } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)

describe.each([
  ['base64', 'base64' as const],
  ['plain JSON', false as const],
])('@upstash/redis through the bridge (%s responses)', (label, responseEncoding) => {
  const p = `${label}:`
  const client = (options: Record<string, unknown> = {}) =>
    new Redis({ url: bridge.url, token: TOKEN, responseEncoding, enableTelemetry: false, ...options })

  it('strings', async () => {
    const redis = client()
    expect(await redis.set(`${p}s`, 'héllo wörld ✓')).toBe('OK')
    expect(await redis.get(`${p}s`)).toBe('héllo wörld ✓')
    expect(await redis.set(`${p}n`, 41, { ex: 100 })).toBe('OK')
    expect(await redis.incr(`${p}n`)).toBe(42)
    expect(await redis.incrbyfloat(`${p}n`, 0.5)).toBe(42.5)
    expect(await redis.get(`${p}missing`)).toBeNull()
    expect(await redis.mset({ [`${p}a`]: 'x', [`${p}b`]: { nested: [1, 2] } })).toBe('OK')
    expect(await redis.mget(`${p}a`, `${p}b`, `${p}missing`)).toEqual(['x', { nested: [1, 2] }, null])
    expect(await redis.append(`${p}a`, 'yz')).toBe(3)
    expect(await redis.getrange(`${p}a`, 1, 2)).toBe('yz')
    expect(await redis.strlen(`${p}s`)).toBe(Buffer.byteLength('héllo wörld ✓'))
    expect(await redis.setnx(`${p}a`, 'no')).toBe(0)
    expect(await redis.getdel(`${p}a`)).toBe('xyz')
    expect(await redis.ttl(`${p}n`)).toBeGreaterThan(90)
    expect(await redis.type(`${p}s`)).toBe('string')
    expect(await redis.ping()).toBe('PONG')
    expect(await redis.echo('hi there')).toBe('hi there')
    expect(await redis.exists(`${p}s`, `${p}n`, `${p}nope`)).toBe(2)
    expect(await redis.del(`${p}s`, `${p}n`)).toBe(2)
  })

  it('hashes', async () => {
    const redis = client()
    expect(await redis.hset(`${p}h`, { f1: 'v1', f2: 2, f3: 'ünï' })).toBe(3)
    expect(await redis.hget(`${p}h`, 'f1')).toBe('v1')
    expect(await redis.hgetall(`${p}h`)).toEqual({ f1: 'v1', f2: 2, f3: 'ünï' })
    expect(await redis.hmget(`${p}h`, 'f1', 'nope')).toEqual({ f1: 'v1', nope: null })
    expect(await redis.hincrby(`${p}h`, 'f2', 5)).toBe(7)
    expect((await redis.hkeys(`${p}h`)).sort()).toEqual(['f1', 'f2', 'f3'])
    expect(await redis.hlen(`${p}h`)).toBe(3)
    expect(await redis.hexists(`${p}h`, 'f3')).toBe(1)
    expect(await redis.hdel(`${p}h`, 'f1')).toBe(1)
    expect(await redis.hgetall(`${p}empty`)).toBeNull()
  })

  it('lists', async () => {
    const redis = client()
    expect(await redis.rpush(`${p}l`, 'a', 'b', 'c')).toBe(3)
    expect(await redis.lpush(`${p}l`, 'z')).toBe(4)
    expect(await redis.lrange(`${p}l`, 0, -1)).toEqual(['z', 'a', 'b', 'c'])
    expect(await redis.lpop(`${p}l`)).toBe('z')
    expect(await redis.rpop(`${p}l`, 2)).toEqual(['c', 'b'])
    expect(await redis.llen(`${p}l`)).toBe(1)
    expect(await redis.lindex(`${p}l`, 0)).toBe('a')
    expect(await redis.lmove(`${p}l`, `${p}l2`, 'left', 'right')).toBe('a')
    expect(await redis.lpos(`${p}l2`, 'a')).toBe(0)
  })

  it('sets', async () => {
    const redis = client()
    expect(await redis.sadd(`${p}set`, 'a', 'b', 'c')).toBe(3)
    expect(await redis.sadd(`${p}set2`, 'b', 'c', 'd')).toBe(3)
    expect((await redis.smembers(`${p}set`)).sort()).toEqual(['a', 'b', 'c'])
    expect(await redis.sismember(`${p}set`, 'a')).toBe(1)
    expect(await redis.smismember(`${p}set`, ['a', 'z'])).toEqual([1, 0])
    expect((await redis.sinter(`${p}set`, `${p}set2`)).sort()).toEqual(['b', 'c'])
    expect((await redis.sunion(`${p}set`, `${p}set2`)).sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(await redis.sdiff(`${p}set`, `${p}set2`)).toEqual(['a'])
    expect(await redis.scard(`${p}set`)).toBe(3)
    expect(await redis.srem(`${p}set`, 'a')).toBe(1)
  })

  it('sorted sets', async () => {
    const redis = client()
    expect(
      await redis.zadd(
        `${p}z`,
        { score: 1.5, member: 'a' },
        { score: 2, member: 'b' },
        { score: 3, member: 'c' },
      ),
    ).toBe(3)
    expect(await redis.zscore(`${p}z`, 'a')).toBe(1.5)
    expect(await redis.zrange(`${p}z`, 0, -1)).toEqual(['a', 'b', 'c'])
    expect(await redis.zrange(`${p}z`, 0, 1, { withScores: true })).toEqual(['a', 1.5, 'b', 2])
    expect(await redis.zrange(`${p}z`, 2, 3, { byScore: true })).toEqual(['b', 'c'])
    expect(await redis.zrank(`${p}z`, 'c')).toBe(2)
    expect(await redis.zincrby(`${p}z`, 10, 'a')).toBe(11.5)
    expect(await redis.zcard(`${p}z`)).toBe(3)
    expect(await redis.zcount(`${p}z`, 2, 3)).toBe(2)
    expect(await redis.zpopmin(`${p}z`)).toEqual(['b', 2])
    expect(await redis.zrem(`${p}z`, 'c')).toBe(1)
  })

  it('streams', async () => {
    const redis = client()
    const id1 = await redis.xadd(`${p}st`, '*', { kind: 'click', n: 1 })
    const id2 = await redis.xadd(`${p}st`, '*', { kind: 'view', n: 2 })
    expect(id1).toMatch(/^\d+-\d+$/)
    expect(await redis.xlen(`${p}st`)).toBe(2)
    expect(await redis.xrange(`${p}st`, '-', '+')).toEqual({
      [id1]: { kind: 'click', n: 1 },
      [id2]: { kind: 'view', n: 2 },
    })
    expect(await redis.xgroup(`${p}st`, { type: 'CREATE', group: 'g', id: '0' })).toBe('OK')
    const read = (await redis.xreadgroup('g', 'c1', `${p}st`, '>', { count: 1 })) as unknown[]
    expect(JSON.stringify(read)).toContain(String(id1))
    expect(await redis.xack(`${p}st`, 'g', id1)).toBe(1)
    expect(await redis.xdel(`${p}st`, id2)).toBe(1)
    expect(await redis.xtrim(`${p}st`, { strategy: 'MAXLEN', threshold: 0 })).toBe(1)
  })

  it('scripts: EVAL, EVALSHA, script objects and SCRIPT LOAD/EXISTS', async () => {
    const redis = client()
    expect(await redis.eval('return {KEYS[1], ARGV[1], 7}', [`${p}k`], ['v'])).toEqual([`${p}k`, 'v', 7])
    const script = redis.createScript<string>(`return redis.call('SET', KEYS[1], ARGV[1])`)
    expect(await script.exec([`${p}sk`], ['hi'])).toBe('OK')
    expect(await script.evalsha([`${p}sk`], ['again'])).toBe('OK')
    expect(await redis.get(`${p}sk`)).toBe('again')
    const sha = await redis.scriptLoad('return 40 + 2')
    expect(await redis.evalsha(sha, [], [])).toBe(42)
    expect(await redis.scriptExists(sha, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([1, 0])
    await expect(redis.evalsha('ffffffffffffffffffffffffffffffffffffffff', [], [])).rejects.toThrow(
      'NOSCRIPT No matching script. Please use EVAL.',
    )
    await expect(redis.eval('return redis.call("INCR", KEYS[1])', [`${p}sk`], [])).rejects.toThrow(
      /not an integer/,
    )
  })

  it('pipelines: in order, errors in place', async () => {
    const redis = client({ enableAutoPipelining: false })
    const results = await redis
      .pipeline()
      .set(`${p}pk`, 'text')
      .incr(`${p}pc`)
      .incr(`${p}pk`)
      .get(`${p}pk`)
      .exec({ keepErrors: true })
    expect(results.map((r) => r.error ?? r.result)).toEqual([
      'OK',
      1,
      'ERR value is not an integer or out of range',
      'text',
    ])
    const auto = client()
    const [a, b, c] = await Promise.all([auto.incr(`${p}ap`), auto.incr(`${p}ap`), auto.get(`${p}ap`)])
    expect([a, b]).toEqual([1, 2])
    expect(c).toBe(2)
  })

  it('transactions: atomic results, runtime errors per item, a discarded one as one error', async () => {
    const redis = client({ enableAutoPipelining: false })
    expect(await redis.multi().set(`${p}t`, '1').incr(`${p}t`).get(`${p}t`).exec()).toEqual(['OK', 2, 2])
    const mixed = await redis.multi().set(`${p}tx`, 'a').incr(`${p}tx`).exec({ keepErrors: true })
    expect(mixed.map((r) => r.error ?? r.result)).toEqual([
      'OK',
      'ERR value is not an integer or out of range',
    ])
    // Eight transactions in flight at once never nest (SRH's "MULTI calls can not be nested").
    const many = await Promise.all(
      Array.from({ length: 8 }, (_, i) => redis.multi().incr(`${p}tn`).set(`${p}tn:${i}`, i).exec()),
    )
    expect(many.map((r) => r[1])).toEqual(Array(8).fill('OK'))
    expect((many.map((r) => r[0]) as number[]).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('read-your-writes: the sync token changes after every write', async () => {
    const redis = client({ enableAutoPipelining: false })
    await redis.set(`${p}ryw`, 'v1')
    const first = redis.readYourWritesSyncToken
    expect(first).toBeTruthy()
    await redis.set(`${p}ryw`, 'v2')
    const second = redis.readYourWritesSyncToken
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)
    expect(await redis.get(`${p}ryw`)).toBe('v2')
  })

  it('pub/sub over SSE: subscribe and psubscribe receive what is published', async () => {
    const redis = client()
    const sub = redis.subscribe<string>([`${p}chat`])
    const psub = redis.psubscribe<string>([`${p}news:*`])
    const got: unknown[] = []
    const pgot: unknown[] = []
    const subscribed = new Promise<void>((resolve) => sub.on('subscribe', () => resolve()))
    const psubscribed = new Promise<void>((resolve) => psub.on('psubscribe', () => resolve()))
    sub.on('message', (m) => got.push(m))
    psub.on('pmessage', (m) => pgot.push(m))
    await Promise.all([subscribed, psubscribed])
    expect(await redis.publish(`${p}chat`, 'really, yes?')).toBe(1)
    expect(await redis.publish(`${p}news:sport`, { score: [1, 0] })).toBe(1)
    await expect.poll(() => got.length).toBe(1)
    await expect.poll(() => pgot.length).toBe(1)
    expect(got[0]).toEqual({ channel: `${p}chat`, message: 'really, yes?' })
    expect(pgot[0]).toEqual({ pattern: `${p}news:*`, channel: `${p}news:sport`, message: { score: [1, 0] } })
    await sub.unsubscribe()
    await psub.unsubscribe()
    // The dedicated upstream connections close with the streams.
    await expect.poll(() => valkey.server.cli('PUBSUB', 'NUMSUB', `${p}chat`)).toBe(`${p}chat\n0`)
    await expect.poll(() => valkey.server.cli('PUBSUB', 'NUMPAT')).toBe('0')
  })
})

describe('binary values and base64', () => {
  it('stores a raw body byte for byte and returns it exactly under base64', async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe, 0x0a, 0x80])
    const headers = { authorization: `Bearer ${TOKEN}` }
    const set = await fetch(`${bridge.url}/set/bin?EX=100`, { method: 'POST', headers, body: bytes })
    expect(await set.json()).toEqual({ result: 'OK' })
    expect(valkey.server.cli('TTL', 'bin')).toBe('100')
    const get = await fetch(`${bridge.url}/get/bin`, {
      headers: { ...headers, 'upstash-encoding': 'base64' },
    })
    expect(await get.json()).toEqual({ result: '/wD+CoA=' })
    const plain = await fetch(`${bridge.url}/get/bin`, { headers })
    expect(await plain.json()).toEqual({ result: '\ufffd\u0000\ufffd\n\ufffd' })
  })
})
