/**
 * Random command sequences, run on a real Valkey 8 and on the memory backend: every reply must be
 * the same, errors included (by message). fast-check shrinks a failure to the shortest sequence
 * that shows it.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import type { Arg, Client, Command } from '../../../src/client/types.ts'
import { useValkey } from '../../support/use-valkey.ts'

const valkey = useValkey()
let server: Client

beforeAll(() => {
  server = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => server.close())

const key = fc.constantFrom('k0', 'k1', 'k2')
const field = fc.constantFrom('f0', 'f1', 'f2', '3', '-1')
const value = fc.constantFrom<Arg>('1', '-3', 'abc', '10.5', '', '007', 2, '9223372036854775807', 'é')
const integer = fc.constantFrom<Arg>(1, -2, 0, 100, '5', 'x', '9223372036854775807')
const score = fc.constantFrom<Arg>('1', '2.5', '-inf', '+inf', '0', '-1', 3, 'nan', 'abc', '1e3')
const bound = fc.constantFrom<Arg>('1', '(1', '-inf', '+inf', '(2.5', '3', '0', 'x')
const ttl = fc.constantFrom<Arg>(100, 200, 50, -1, 0, 'x')
const opt = <T extends Arg>(...words: T[]) => fc.subarray(words, { minLength: 0, maxLength: 2 })

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.constant('GET'), key),
  fc
    .tuple(fc.constant('SET'), key, value)
    .chain(([, k, v]) =>
      fc
        .tuple(
          opt('NX', 'XX', 'GET', 'KEEPTTL'),
          fc.option(fc.tuple(fc.constantFrom('EX', 'PX'), ttl), { nil: undefined }),
        )
        .map(([flags, ex]): Command => ['SET', k, v, ...flags, ...(ex ?? [])]),
    ),
  fc.tuple(fc.constantFrom('INCR', 'DECR', 'STRLEN', 'GETDEL', 'TYPE', 'PERSIST', 'TTL', 'EXISTS'), key),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, integer),
  fc.tuple(fc.constant('INCRBYFLOAT'), key, score),
  fc.tuple(fc.constantFrom('APPEND', 'SETNX'), key, value),
  fc
    .tuple(fc.constant('GETEX'), key)
    .chain(([, k]) =>
      fc
        .constantFrom<Arg[]>([], ['PERSIST'], ['EX', 100], ['PX', 0])
        .map((rest): Command => ['GETEX', k, ...rest]),
    ),
  fc.tuple(fc.constant('MGET'), key, key),
  fc.tuple(fc.constant('MSET'), key, value, key, value),
  fc.tuple(fc.constant('DEL'), key, key),
  fc
    .tuple(fc.constant('EXPIRE'), key, ttl)
    .chain(([, k, t]) => opt('NX', 'XX', 'GT', 'LT').map((flags): Command => ['EXPIRE', k, t, ...flags])),
  fc.tuple(fc.constantFrom('HSET', 'HSETNX'), key, field, value),
  fc.tuple(fc.constant('HSET'), key, field, value, field, value),
  fc.tuple(fc.constantFrom('HGET', 'HDEL', 'HEXISTS'), key, field),
  fc.tuple(fc.constant('HINCRBY'), key, field, integer),
  fc.tuple(fc.constant('HINCRBYFLOAT'), key, field, score),
  fc.tuple(fc.constantFrom('HGETALL', 'HLEN', 'HKEYS', 'HVALS', 'SMEMBERS', 'SCARD', 'ZCARD'), key),
  fc.tuple(fc.constant('HMGET'), key, field, field),
  fc.tuple(fc.constantFrom('SADD', 'SREM'), key, field, field),
  fc.tuple(fc.constant('SISMEMBER'), key, field),
  fc
    .tuple(fc.constant('ZADD'), key, score, field)
    .chain(([, k, s, m]) =>
      opt('NX', 'XX', 'GT', 'LT', 'CH', 'INCR').map((flags): Command => ['ZADD', k, ...flags, s, m]),
    ),
  fc.tuple(fc.constant('ZADD'), key, score, field, score, field),
  fc.tuple(fc.constantFrom('ZREM', 'ZSCORE'), key, field),
  fc.tuple(fc.constant('ZINCRBY'), key, score, field),
  fc.tuple(fc.constantFrom('ZRANGEBYSCORE', 'ZREMRANGEBYSCORE', 'ZCOUNT'), key, bound, bound),
  fc
    .tuple(key, fc.constantFrom<Arg>(0, 1, -1, -2, 5), fc.constantFrom<Arg>(0, 1, -1, 3))
    .chain(([k, a, b]) => opt('WITHSCORES', 'REV').map((flags): Command => ['ZRANGE', k, a, b, ...flags])),
  fc
    .tuple(
      key,
      bound,
      bound,
      opt('WITHSCORES', 'REV'),
      fc.option(fc.tuple(fc.constantFrom(0, 1, -1), fc.constantFrom(1, 2, -1)), { nil: undefined }),
    )
    .map(
      ([k, a, b, flags, limit]): Command => [
        'ZRANGE',
        k,
        a,
        b,
        'BYSCORE',
        ...flags,
        ...(limit ? ['LIMIT', ...limit] : []),
      ],
    ),
)

const text = (replies: unknown[]) => replies.map((r) => (r instanceof Error ? `error: ${r.message}` : r))

describe('memory backend against Valkey on random command sequences', () => {
  it('gives the same reply to every command', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (commands) => {
        await server.send(['FLUSHDB'])
        const memory = createMemoryClient()
        const [onValkey, onMemory] = await Promise.all([server.pipeline(commands), memory.pipeline(commands)])
        expect(text(onMemory)).toEqual(text(onValkey))
      }),
      { numRuns: 300 },
    )
  })
})
