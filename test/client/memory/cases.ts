/**
 * The memory backend's behaviour cases, written once and run against both the memory client and a
 * real Valkey 8: each step is a command and the reply Valkey gives (or the error it answers). A
 * case that passes on Valkey and fails on memory is a bug in the memory backend.
 */
import { defineScript } from '../../../src/client/script.ts'
import type { Arg, Command, Reply, Script } from '../../../src/client/types.ts'

/** What a step expects: a reply, an error (its exact message, or how it starts), or a number in a range. */
export type Expected =
  | Reply
  | { error: string }
  | { code: string }
  | { prefix: string }
  | { between: [number, number] }

export interface Step {
  command: Command
  /** Run this script with `client.eval` (keys and args from `command`: `[numkeys, ...keys, ...args]`). */
  script?: Script
  expected: Expected
  /** Ask for bulk strings as bytes. */
  bytes?: boolean
}

export interface BehaviourCase {
  name: string
  steps: Step[]
}

export const error = (message: string): Expected => ({ error: message })
export const code = (code: string): Expected => ({ code })
export const between = (low: number, high: number): Expected => ({ between: [low, high] })

const step = (command: Command, expected: Expected): Step => ({ command, expected })
const evalStep = (script: Script, keys: string[], args: Arg[], expected: Expected): Step => ({
  command: [keys.length, ...keys, ...args],
  script,
  expected,
})
const bytes = (command: Command, expected: Expected): Step => ({ command, expected, bytes: true })
const c = (name: string, ...steps: Array<[Command, Expected] | Step>): BehaviourCase => ({
  name,
  steps: steps.map((s) => (Array.isArray(s) ? step(s[0], s[1]) : s)),
})

const WRONGTYPE = error('WRONGTYPE Operation against a key holding the wrong kind of value')
const SYNTAX = error('ERR syntax error')
const NOT_INTEGER = error('ERR value is not an integer or out of range')
const NOT_FLOAT = error('ERR value is not a valid float')
const arity = (name: string) => error(`ERR wrong number of arguments for '${name}' command`)

export const stringCases: BehaviourCase[] = [
  c('GET of a missing key is nil', [['GET', 'k'], null]),
  c('SET then GET', [['SET', 'k', 'v'], 'OK'], [['GET', 'k'], 'v']),
  c('SET stores numbers in decimal', [['SET', 'k', 42], 'OK'], [['GET', 'k'], '42']),
  c(
    'SET NX and XX',
    [['SET', 'k', 'a', 'XX'], null],
    [['SET', 'k', 'a', 'NX'], 'OK'],
    [['SET', 'k', 'b', 'NX'], null],
    [['SET', 'k', 'c', 'xx'], 'OK'],
    [['GET', 'k'], 'c'],
  ),
  c(
    'SET GET returns the old value',
    [['SET', 'k', 'a', 'GET'], null],
    [['SET', 'k', 'b', 'GET'], 'a'],
    [['SET', 'k', 'c', 'NX', 'GET'], 'b'],
    [['GET', 'k'], 'b'],
  ),
  c(
    'SET GET on a hash is WRONGTYPE and changes nothing',
    [['HSET', 'h', 'f', 'v'], 1],
    [['SET', 'h', 'v', 'GET'], WRONGTYPE],
    [['TYPE', 'h'], 'hash'],
  ),
  c(
    'SET overwrites a key of another type',
    [['SADD', 's', 'm'], 1],
    [['SET', 's', 'v'], 'OK'],
    [['GET', 's'], 'v'],
  ),
  c(
    'SET EX and PX set a TTL',
    [['SET', 'k', 'v', 'EX', 100], 'OK'],
    [['TTL', 'k'], between(99, 100)],
    [['SET', 'k', 'v', 'PX', 5000], 'OK'],
    [['PTTL', 'k'], between(4900, 5000)],
  ),
  c(
    'SET without KEEPTTL clears the TTL',
    [['SET', 'k', 'v', 'EX', 100], 'OK'],
    [['SET', 'k', 'w'], 'OK'],
    [['TTL', 'k'], -1],
  ),
  c(
    'SET KEEPTTL keeps it',
    [['SET', 'k', 'v', 'EX', 100], 'OK'],
    [['SET', 'k', 'w', 'KEEPTTL'], 'OK'],
    [['TTL', 'k'], between(99, 100)],
  ),
  c(
    'SET EXAT and PXAT in the far future',
    [['SET', 'k', 'v', 'PXAT', 99999999999999], 'OK'],
    [['PEXPIRETIME', 'k'], 99999999999999],
    [['SET', 'k', 'v', 'EXAT', 99999999999], 'OK'],
    [['EXPIRETIME', 'k'], 99999999999],
  ),
  c('SET PXAT in the past leaves no key', [['SET', 'k', 'v', 'PXAT', 1], 'OK'], [['EXISTS', 'k'], 0]),
  c(
    'SET refuses bad expiry and option combinations',
    [['SET', 'k', 'v', 'EX', 0], error("ERR invalid expire time in 'set' command")],
    [['SET', 'k', 'v', 'PX', -5], error("ERR invalid expire time in 'set' command")],
    [['SET', 'k', 'v', 'EX', 'abc'], NOT_INTEGER],
    [['SET', 'k', 'v', 'EX', '9999999999999999'], error("ERR invalid expire time in 'set' command")],
    [['SET', 'k', 'v', 'NX', 'XX'], SYNTAX],
    [['SET', 'k', 'v', 'EX', 10, 'PX', 10], SYNTAX],
    [['SET', 'k', 'v', 'EX', 10, 'KEEPTTL'], SYNTAX],
    [['SET', 'k', 'v', 'EX'], SYNTAX],
    [['SET', 'k', 'v', 'BOGUS'], SYNTAX],
    [['SET', 'k'], arity('set')],
    [['EXISTS', 'k'], 0],
  ),
  c(
    'GETEX reads and changes the TTL',
    [['GETEX', 'missing', 'EX', 10], null],
    [['SET', 'k', 'v'], 'OK'],
    [['GETEX', 'k'], 'v'],
    [['TTL', 'k'], -1],
    [['GETEX', 'k', 'EX', 100], 'v'],
    [['TTL', 'k'], between(99, 100)],
    [['GETEX', 'k', 'PERSIST'], 'v'],
    [['TTL', 'k'], -1],
    [['GETEX', 'k', 'PXAT', 1], 'v'],
    [['EXISTS', 'k'], 0],
  ),
  c(
    'GETEX refuses bad options',
    [['SET', 'k', 'v'], 'OK'],
    [['GETEX', 'k', 'EX', 0], error("ERR invalid expire time in 'getex' command")],
    [['GETEX', 'k', 'PERSIST', 'EX', 10], SYNTAX],
    [['GETEX', 'k', 'EX'], SYNTAX],
    [['HSET', 'h', 'f', 'v'], 1],
    [['GETEX', 'h'], WRONGTYPE],
  ),
  c(
    'GETDEL',
    [['SET', 'k', 'v'], 'OK'],
    [['GETDEL', 'k'], 'v'],
    [['GETDEL', 'k'], null],
    [['SADD', 's', 'm'], 1],
    [['GETDEL', 's'], WRONGTYPE],
  ),
  c(
    'MGET gives nil for missing keys and other types',
    [['MSET', 'a', '1', 'b', '2'], 'OK'],
    [['SADD', 's', 'm'], 1],
    [
      ['MGET', 'a', 'nope', 's', 'b'],
      ['1', null, null, '2'],
    ],
  ),
  c('MSET needs pairs', [['MSET', 'a', '1', 'b'], arity('mset')], [['EXISTS', 'a'], 0]),
  c('MSET clears TTLs', [['SET', 'a', '1', 'EX', 100], 'OK'], [['MSET', 'a', '2'], 'OK'], [['TTL', 'a'], -1]),
  c('SETNX', [['SETNX', 'k', 'a'], 1], [['SETNX', 'k', 'b'], 0], [['GET', 'k'], 'a']),
  c(
    'INCR, INCRBY, DECR, DECRBY',
    [['INCR', 'n'], 1],
    [['INCRBY', 'n', 10], 11],
    [['INCRBY', 'n', '-20'], -9],
    [['DECR', 'n'], -10],
    [['DECRBY', 'n', 5], -15],
    [['GET', 'n'], '-15'],
  ),
  c(
    'INCR keeps the TTL',
    [['SET', 'n', '5', 'EX', 100], 'OK'],
    [['INCR', 'n'], 6],
    [['TTL', 'n'], between(99, 100)],
  ),
  c(
    'INCR refuses values that are not canonical integers',
    [['SET', 'a', ' 1'], 'OK'],
    [['INCR', 'a'], NOT_INTEGER],
    [['SET', 'a', '01'], 'OK'],
    [['INCR', 'a'], NOT_INTEGER],
    [['SET', 'a', '+1'], 'OK'],
    [['INCR', 'a'], NOT_INTEGER],
    [['SET', 'a', '-0'], 'OK'],
    [['INCR', 'a'], NOT_INTEGER],
    [['SET', 'a', '1.5'], 'OK'],
    [['INCR', 'a'], NOT_INTEGER],
    [['INCRBY', 'b', '1.5'], NOT_INTEGER],
    [['INCRBY', 'b', 'x'], NOT_INTEGER],
    [['HSET', 'h', 'f', 'v'], 1],
    [['INCR', 'h'], WRONGTYPE],
  ),
  c(
    'INCR at the int64 edges',
    [['SET', 'n', '9223372036854775806'], 'OK'],
    [['INCR', 'n'], '9223372036854775807'],
    [['GET', 'n'], '9223372036854775807'],
    [['INCR', 'n'], error('ERR increment or decrement would overflow')],
    [['SET', 'm', '-9223372036854775808'], 'OK'],
    [['DECR', 'm'], error('ERR increment or decrement would overflow')],
    [['SET', 'o', '9223372036854775808'], 'OK'],
    [['INCR', 'o'], NOT_INTEGER],
    [['DECRBY', 'p', '-9223372036854775808'], error('ERR decrement would overflow')],
    [['INCRBY', 'q', '9007199254740993'], '9007199254740993'],
    bytes(['INCRBY', 'q', '-2'], 9007199254740991),
    bytes(['HINCRBY', 'h', 'f', '9007199254740993'], '9007199254740993'),
    [['GET', 'q'], '9007199254740991'],
  ),
  c(
    'INCRBYFLOAT computes in long double',
    [['INCRBYFLOAT', 'f', '0.1'], '0.1'],
    [['INCRBYFLOAT', 'f', '0.2'], '0.3'],
    [['SET', 'g', '10.50'], 'OK'],
    [['INCRBYFLOAT', 'g', '0.1'], '10.6'],
    [['SET', 'g', '1000.1'], 'OK'],
    [['INCRBYFLOAT', 'g', '0.1'], '1000.19999999999999996'],
    [['SET', 'g', '5.0e3'], 'OK'],
    [['INCRBYFLOAT', 'g', '2.0e2'], '5200'],
    [['INCRBYFLOAT', 'h', '1e20'], '100000000000000000000'],
    [['INCRBYFLOAT', 'i', '-1e-20'], '0'],
    [['INCRBYFLOAT', 'j', '0x10'], '16'],
    [['INCRBYFLOAT', 'j', '-20'], '-4'],
    [['INCRBYFLOAT', 'k', 3], '3'],
    [['INCR', 'k'], 4],
  ),
  c(
    'INCRBYFLOAT refuses what is not a float',
    [['INCRBYFLOAT', 'f', 'abc'], NOT_FLOAT],
    [['SET', 'f', ' 1'], 'OK'],
    [['INCRBYFLOAT', 'f', '1'], NOT_FLOAT],
    [['SET', 'f', 'inf'], 'OK'],
    [['INCRBYFLOAT', 'f', '1'], error('ERR increment would produce NaN or Infinity')],
    [['INCRBYFLOAT', 'g', '1e5000'], NOT_FLOAT],
  ),
  c(
    'APPEND and STRLEN count bytes',
    [['APPEND', 'k', 'ab'], 2],
    [['APPEND', 'k', 'é'], 4],
    [['STRLEN', 'k'], 4],
    [['GET', 'k'], 'abé'],
    [['STRLEN', 'nope'], 0],
  ),
  c(
    'APPEND keeps the TTL',
    [['SET', 'k', 'a', 'EX', 100], 'OK'],
    [['APPEND', 'k', 'b'], 2],
    [['TTL', 'k'], between(99, 100)],
  ),
  c(
    'values are binary-safe',
    [['SET', new Uint8Array([0xff, 0x00, 0x41]), new Uint8Array([0xc3, 0x28, 0x00, 0xe2, 0x82])], 'OK'],
    bytes(['GET', new Uint8Array([0xff, 0x00, 0x41])], new Uint8Array([0xc3, 0x28, 0x00, 0xe2, 0x82])),
    [['STRLEN', new Uint8Array([0xff, 0x00, 0x41])], 5],
    [['APPEND', new Uint8Array([0xff, 0x00, 0x41]), new Uint8Array([0xac])], 6],
    bytes(['GET', new Uint8Array([0xff, 0x00, 0x41])], new Uint8Array([0xc3, 0x28, 0x00, 0xe2, 0x82, 0xac])),
    [['GET', new Uint8Array([0xff, 0x00, 0x41])], '\uFFFD(\u0000€'],
    [['SET', 'text', 'héllo ✓ 😀'], 'OK'],
    bytes(['GET', 'text'], new TextEncoder().encode('héllo ✓ 😀')),
    [['STRLEN', 'text'], 15],
  ),
  c(
    'a text key and the same bytes are one key',
    [['SET', 'clé', 'v'], 'OK'],
    [['GET', new TextEncoder().encode('clé')], 'v'],
  ),
]

export const keyCases: BehaviourCase[] = [
  c(
    'DEL and UNLINK count removed keys',
    [['MSET', 'a', '1', 'b', '2'], 'OK'],
    [['DEL', 'a', 'a', 'nope'], 1],
    [['UNLINK', 'b'], 1],
    [['DBSIZE'], 0],
  ),
  c('EXISTS counts repeats', [['SET', 'a', '1'], 'OK'], [['EXISTS', 'a', 'a', 'b'], 2]),
  c(
    'EXPIRE and TTL',
    [['EXPIRE', 'nope', 10], 0],
    [['TTL', 'nope'], -2],
    [['PTTL', 'nope'], -2],
    [['SET', 'k', 'v'], 'OK'],
    [['TTL', 'k'], -1],
    [['PTTL', 'k'], -1],
    [['EXPIRE', 'k', 100], 1],
    [['TTL', 'k'], between(99, 100)],
    [['PEXPIRE', 'k', 100500], 1],
    [['PTTL', 'k'], between(100400, 100500)],
    [['PERSIST', 'k'], 1],
    [['PERSIST', 'k'], 0],
    [['TTL', 'k'], -1],
  ),
  c(
    'EXPIRE with a negative or zero TTL deletes',
    [['SET', 'k', 'v'], 'OK'],
    [['EXPIRE', 'k', -1], 1],
    [['EXISTS', 'k'], 0],
    [['SET', 'k', 'v'], 'OK'],
    [['PEXPIRE', 'k', 0], 1],
    [['EXISTS', 'k'], 0],
  ),
  c(
    'EXPIREAT and PEXPIREAT',
    [['SET', 'k', 'v'], 'OK'],
    [['PEXPIREAT', 'k', 99999999999999], 1],
    [['PEXPIRETIME', 'k'], 99999999999999],
    [['EXPIRETIME', 'k'], 100000000000],
    [['EXPIREAT', 'k', 99999999999], 1],
    [['PEXPIRETIME', 'k'], 99999999999000],
    [['EXPIREAT', 'k', 1], 1],
    [['EXISTS', 'k'], 0],
    [['EXPIRETIME', 'k'], -2],
    [['SET', 'k', 'v'], 'OK'],
    [['EXPIRETIME', 'k'], -1],
  ),
  c(
    'EXPIRE NX, XX, GT, LT',
    [['SET', 'k', 'v'], 'OK'],
    [['EXPIRE', 'k', 100, 'XX'], 0],
    [['EXPIRE', 'k', 100, 'GT'], 0],
    [['EXPIRE', 'k', 100, 'NX'], 1],
    [['EXPIRE', 'k', 200, 'NX'], 0],
    [['EXPIRE', 'k', 50, 'GT'], 0],
    [['EXPIRE', 'k', 200, 'gt'], 1],
    [['EXPIRE', 'k', 300, 'LT'], 0],
    [['EXPIRE', 'k', 150, 'LT'], 1],
    [['TTL', 'k'], between(149, 150)],
    [['EXPIRE', 'k', 400, 'XX', 'GT'], 1],
    [['PERSIST', 'k'], 1],
    [['EXPIRE', 'k', 50, 'LT'], 1],
  ),
  c(
    'EXPIRE refuses bad options',
    [['SET', 'k', 'v'], 'OK'],
    [
      ['EXPIRE', 'k', 10, 'NX', 'XX'],
      error('ERR NX and XX, GT or LT options at the same time are not compatible'),
    ],
    [['EXPIRE', 'k', 10, 'GT', 'LT'], error('ERR GT and LT options at the same time are not compatible')],
    [['EXPIRE', 'k', 10, 'foo'], error('ERR Unsupported option foo')],
    [['EXPIRE', 'k', 'ten'], NOT_INTEGER],
    [['EXPIRE', 'k', '9223372036854775807'], error("ERR invalid expire time in 'expire' command")],
    [['PEXPIRE', 'k', '9223372036854775807'], error("ERR invalid expire time in 'pexpire' command")],
    [['EXPIRE', 'k'], arity('expire')],
    [['TTL', 'k'], -1],
  ),
  c(
    'TYPE',
    [['TYPE', 'nope'], 'none'],
    [['SET', 's', 'v'], 'OK'],
    [['HSET', 'h', 'f', 'v'], 1],
    [['SADD', 'set', 'm'], 1],
    [['ZADD', 'z', 1, 'm'], 1],
    [['TYPE', 's'], 'string'],
    [['TYPE', 'h'], 'hash'],
    [['TYPE', 'set'], 'set'],
    [['TYPE', 'z'], 'zset'],
  ),
  c(
    'DBSIZE and FLUSHDB',
    [['MSET', 'a', '1', 'b', '2'], 'OK'],
    [['DBSIZE'], 2],
    [['FLUSHDB'], 'OK'],
    [['DBSIZE'], 0],
    [['FLUSHDB', 'ASYNC'], 'OK'],
    [['FLUSHDB', 'foo'], SYNTAX],
  ),
]

export const hashCases: BehaviourCase[] = [
  c(
    'HSET, HGET, HGETALL in insertion order',
    [['HSET', 'h', 'b', '1', 'a', '2'], 2],
    [['HSET', 'h', 'b', '3', 'c', '4'], 1],
    [['HGET', 'h', 'b'], '3'],
    [['HGET', 'h', 'nope'], null],
    [['HGET', 'nope', 'b'], null],
    [
      ['HGETALL', 'h'],
      ['b', '3', 'a', '2', 'c', '4'],
    ],
    [
      ['HKEYS', 'h'],
      ['b', 'a', 'c'],
    ],
    [
      ['HVALS', 'h'],
      ['3', '2', '4'],
    ],
    [['HLEN', 'h'], 3],
    [['HGETALL', 'nope'], []],
  ),
  c('HSET needs pairs', [['HSET', 'h', 'a'], arity('hset')], [['HSET', 'h', 'a', '1', 'b'], arity('hset')]),
  c(
    'HMSET and HMGET',
    [['HMSET', 'h', 'a', '1', 'b', '2'], 'OK'],
    [
      ['HMGET', 'h', 'a', 'x', 'b'],
      ['1', null, '2'],
    ],
    [['HMGET', 'nope', 'a'], [null]],
  ),
  c('HSETNX', [['HSETNX', 'h', 'f', '1'], 1], [['HSETNX', 'h', 'f', '2'], 0], [['HGET', 'h', 'f'], '1']),
  c(
    'HEXISTS',
    [['HSET', 'h', 'f', '1'], 1],
    [['HEXISTS', 'h', 'f'], 1],
    [['HEXISTS', 'h', 'g'], 0],
    [['HEXISTS', 'nope', 'f'], 0],
  ),
  c(
    'HDEL removes the key with its last field',
    [['HSET', 'h', 'a', '1', 'b', '2'], 2],
    [['HDEL', 'h', 'a', 'x'], 1],
    [['HDEL', 'h', 'b'], 1],
    [['EXISTS', 'h'], 0],
    [['HDEL', 'h', 'b'], 0],
  ),
  c(
    'HINCRBY',
    [['HINCRBY', 'h', 'n', 5], 5],
    [['HINCRBY', 'h', 'n', '-7'], -2],
    [['HGET', 'h', 'n'], '-2'],
    [['HSET', 'h', 's', 'abc'], 1],
    [['HINCRBY', 'h', 's', 1], error('ERR hash value is not an integer')],
    [['HINCRBY', 'h', 'n', 'x'], NOT_INTEGER],
    [['HSET', 'h', 'big', '9223372036854775807'], 1],
    [['HINCRBY', 'h', 'big', 1], error('ERR increment or decrement would overflow')],
  ),
  c(
    'HINCRBYFLOAT',
    [['HINCRBYFLOAT', 'h', 'f', '0.1'], '0.1'],
    [['HINCRBYFLOAT', 'h', 'f', '0.2'], '0.3'],
    [['HSET', 'h', 's', 'abc'], 1],
    [['HINCRBYFLOAT', 'h', 's', '1'], error('ERR hash value is not a float')],
    [['HINCRBYFLOAT', 'h', 'f', 'x'], NOT_FLOAT],
    [['HINCRBYFLOAT', 'h', 'f', 'inf'], error('ERR value is NaN or Infinity')],
  ),
  c(
    'hash commands on a string are WRONGTYPE',
    [['SET', 'k', 'v'], 'OK'],
    [['HSET', 'k', 'f', 'v'], WRONGTYPE],
    [['HGET', 'k', 'f'], WRONGTYPE],
    [['HGETALL', 'k'], WRONGTYPE],
    [['HLEN', 'k'], WRONGTYPE],
  ),
  c(
    'HSET keeps the key TTL',
    [['HSET', 'h', 'a', '1'], 1],
    [['EXPIRE', 'h', 100], 1],
    [['HSET', 'h', 'b', '2'], 1],
    [['TTL', 'h'], between(99, 100)],
  ),
]

export const setCases: BehaviourCase[] = [
  c(
    'SADD, SREM, SISMEMBER, SCARD',
    [['SADD', 's', 'a', 'b', 'a'], 2],
    [['SADD', 's', 'b', 'c'], 1],
    [['SCARD', 's'], 3],
    [['SISMEMBER', 's', 'a'], 1],
    [['SISMEMBER', 's', 'z'], 0],
    [['SISMEMBER', 'nope', 'a'], 0],
    [
      ['SMISMEMBER', 's', 'a', 'z'],
      [1, 0],
    ],
    [['SREM', 's', 'a', 'z'], 1],
    [
      ['SMEMBERS', 's'],
      ['b', 'c'],
    ],
    [['SREM', 's', 'b', 'c'], 2],
    [['EXISTS', 's'], 0],
    [['SMEMBERS', 's'], []],
    [['SCARD', 's'], 0],
  ),
  c(
    'SMEMBERS of integers is sorted',
    [['SADD', 's', 3, 1, 2, 10], 4],
    [
      ['SMEMBERS', 's'],
      ['1', '2', '3', '10'],
    ],
  ),
  c(
    'SMEMBERS of strings keeps insertion order',
    [['SADD', 's', 'b', 'a', 'c'], 3],
    [
      ['SMEMBERS', 's'],
      ['b', 'a', 'c'],
    ],
  ),
  c(
    'an intset turned listpack keeps its sorted order',
    [['SADD', 's', 3, 1], 2],
    [['SADD', 's', 'a', 2], 2],
    [
      ['SMEMBERS', 's'],
      ['1', '3', 'a', '2'],
    ],
  ),
  c(
    'set commands on a string are WRONGTYPE',
    [['SET', 'k', 'v'], 'OK'],
    [['SADD', 'k', 'a'], WRONGTYPE],
    [['SMEMBERS', 'k'], WRONGTYPE],
    [['SCARD', 'k'], WRONGTYPE],
  ),
]

export const sortedSetCases: BehaviourCase[] = [
  c(
    'ZADD, ZSCORE, ZCARD, ZREM',
    [['ZADD', 'z', 1, 'a', 2, 'b', '3.5', 'c'], 3],
    [['ZADD', 'z', 5, 'a'], 0],
    [['ZSCORE', 'z', 'a'], '5'],
    [['ZSCORE', 'z', 'c'], '3.5'],
    [['ZSCORE', 'z', 'nope'], null],
    [['ZCARD', 'z'], 3],
    [['ZREM', 'z', 'a', 'x'], 1],
    [['ZREM', 'z', 'b', 'c'], 2],
    [['EXISTS', 'z'], 0],
    [['ZCARD', 'z'], 0],
  ),
  c(
    'ZADD NX, XX, GT, LT, CH',
    [['ZADD', 'z', 'XX', 1, 'a'], 0],
    [['EXISTS', 'z'], 0],
    [['ZADD', 'z', 'NX', 1, 'a'], 1],
    [['ZADD', 'z', 'NX', 2, 'a'], 0],
    [['ZSCORE', 'z', 'a'], '1'],
    [['ZADD', 'z', 'GT', 5, 'a'], 0],
    [['ZSCORE', 'z', 'a'], '5'],
    [['ZADD', 'z', 'GT', 'CH', 3, 'a'], 0],
    [['ZADD', 'z', 'GT', 'CH', 7, 'a'], 1],
    [['ZADD', 'z', 'LT', 'XX', 'CH', 1, 'a', 1, 'b'], 1],
    [['ZADD', 'z', 'LT', 4, 'b'], 1],
    [
      ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
      ['a', '1', 'b', '4'],
    ],
  ),
  c(
    'ZADD INCR',
    [['ZADD', 'z', 'INCR', 5, 'a'], '5'],
    [['ZADD', 'z', 'INCR', '1.5', 'a'], '6.5'],
    [['ZADD', 'z', 'NX', 'INCR', 5, 'a'], null],
    [['ZADD', 'z', 'GT', 'INCR', -1, 'a'], null],
    [['ZINCRBY', 'z', 2, 'a'], '8.5'],
    [['ZINCRBY', 'z', 2, 'b'], '2'],
    [['ZADD', 'z', 'INCR', 'inf', 'c'], 'inf'],
    [['ZADD', 'z', 'INCR', '-inf', 'c'], error('ERR resulting score is not a number (NaN)')],
  ),
  c(
    'ZADD refuses bad input',
    [['ZADD', 'z', 'NX', 'XX', 1, 'a'], error('ERR XX and NX options at the same time are not compatible')],
    [
      ['ZADD', 'z', 'GT', 'NX', 1, 'a'],
      error('ERR GT, LT, and/or NX options at the same time are not compatible'),
    ],
    [
      ['ZADD', 'z', 'GT', 'LT', 1, 'a'],
      error('ERR GT, LT, and/or NX options at the same time are not compatible'),
    ],
    [
      ['ZADD', 'z', 'INCR', 1, 'a', 2, 'b'],
      error('ERR INCR option supports a single increment-element pair'),
    ],
    [['ZADD', 'z', 'abc', 'a'], NOT_FLOAT],
    [['ZADD', 'z', 'nan', 'a'], NOT_FLOAT],
    [['ZADD', 'z', 1, 'a', 2], SYNTAX],
    [['ZADD', 'z', 1], arity('zadd')],
    [['ZADD', 'z', 1, 'a', 'x', 'b'], NOT_FLOAT],
    [['EXISTS', 'z'], 0],
  ),
  c(
    'scores print as Valkey prints them',
    [
      [
        'ZADD',
        'z',
        '1e20',
        'a',
        '0.1',
        'b',
        '1.5e-7',
        'c',
        100,
        'd',
        '0x10',
        'f',
        '-0',
        'g',
        '0.000001',
        'h',
      ],
      7,
    ],
    [
      ['ZRANGE', 'z', 0, -1, 'WITHSCORES'],
      ['g', '0', 'c', '1.5e-7', 'h', '0.000001', 'b', '0.1', 'f', '16', 'd', '100', 'a', '1e+20'],
    ],
  ),
  c(
    'equal scores order by member',
    [['ZADD', 'z', 1, 'b', 1, 'a', 1, 'c', 0, 'd'], 4],
    [
      ['ZRANGE', 'z', 0, -1],
      ['d', 'a', 'b', 'c'],
    ],
  ),
  c(
    'equal scores order members by their bytes',
    [
      [
        'ZADD',
        'z',
        0,
        '😀',
        0,
        '\uFF21',
        0,
        'z',
        0,
        new Uint8Array([0xff]),
        0,
        'é',
        0,
        new Uint8Array([0xc3]),
      ],
      6,
    ],
    bytes(
      ['ZRANGE', 'z', 0, -1],
      [
        new Uint8Array([0x7a]),
        new Uint8Array([0xc3]),
        new Uint8Array([0xc3, 0xa9]),
        new Uint8Array([0xef, 0xbc, 0xa1]),
        new Uint8Array([0xf0, 0x9f, 0x98, 0x80]),
        new Uint8Array([0xff]),
      ],
    ),
  ),
  c(
    'ZRANGE by rank',
    [['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd'], 4],
    [
      ['ZRANGE', 'z', 1, 2],
      ['b', 'c'],
    ],
    [
      ['ZRANGE', 'z', -2, -1],
      ['c', 'd'],
    ],
    [
      ['ZRANGE', 'z', -100, 100],
      ['a', 'b', 'c', 'd'],
    ],
    [['ZRANGE', 'z', 3, 1], []],
    [
      ['ZRANGE', 'z', 0, 1, 'REV'],
      ['d', 'c'],
    ],
    [
      ['ZRANGE', 'z', 0, 0, 'REV', 'WITHSCORES'],
      ['d', '4'],
    ],
    [['ZRANGE', 'nope', 0, -1], []],
    [
      ['ZRANGE', 'z', 0, 1, 'LIMIT', 0, 1],
      error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX'),
    ],
    [['ZRANGE', 'z', 'a', 'b'], NOT_INTEGER],
    [['ZRANGE', 'z', 0, -1, 'WITHSCORES', 'foo'], SYNTAX],
  ),
  c(
    'ZRANGE BYSCORE and ZRANGEBYSCORE',
    [['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c', 4, 'd'], 4],
    [
      ['ZRANGE', 'z', 2, 3, 'BYSCORE'],
      ['b', 'c'],
    ],
    [
      ['ZRANGE', 'z', '(2', '+inf', 'BYSCORE', 'WITHSCORES'],
      ['c', '3', 'd', '4'],
    ],
    [
      ['ZRANGE', 'z', 3, 1, 'BYSCORE', 'REV'],
      ['c', 'b', 'a'],
    ],
    [
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', 1, 2],
      ['b', 'c'],
    ],
    [['ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1], ['d']],
    [
      ['ZRANGEBYSCORE', 'z', '-inf', '(3'],
      ['a', 'b'],
    ],
    [
      ['ZRANGEBYSCORE', 'z', 2, 4, 'WITHSCORES', 'LIMIT', 1, -1],
      ['c', '3', 'd', '4'],
    ],
    [['ZRANGEBYSCORE', 'z', 2, 4, 'LIMIT', -1, 1], []],
    [['ZRANGEBYSCORE', 'z', '(1', '(2'], []],
    [['ZRANGEBYSCORE', 'z', 5, 1], []],
    [['ZRANGEBYSCORE', 'z', 'a', 'b'], error('ERR min or max is not a float')],
    [['ZRANGEBYSCORE', 'z', 1, 2, 'LIMIT', 1], SYNTAX],
    [['ZCOUNT', 'z', '(1', 3], 2],
    [['ZCOUNT', 'z', 'x', 3], error('ERR min or max is not a float')],
  ),
  c(
    'ZREMRANGEBYSCORE',
    [['ZADD', 'z', 1, 'a', 2, 'b', 3, 'c'], 3],
    [['ZREMRANGEBYSCORE', 'z', '-inf', '(2'], 1],
    [
      ['ZRANGE', 'z', 0, -1],
      ['b', 'c'],
    ],
    [['ZREMRANGEBYSCORE', 'z', 2, 3], 2],
    [['EXISTS', 'z'], 0],
    [['ZREMRANGEBYSCORE', 'z', 'x', 3], error('ERR min or max is not a float')],
  ),
  c(
    'sorted-set commands on a string are WRONGTYPE',
    [['SET', 'k', 'v'], 'OK'],
    [['ZADD', 'k', 1, 'a'], WRONGTYPE],
    [['ZSCORE', 'k', 'a'], WRONGTYPE],
    [['ZRANGE', 'k', 0, -1], WRONGTYPE],
  ),
]

export const serverCases: BehaviourCase[] = [
  c(
    'status replies stay strings when bytes are asked for',
    bytes(['SET', 'k', 'v'], 'OK'),
    bytes(['TYPE', 'k'], 'string'),
    bytes(['PING'], 'PONG'),
    bytes(['PING', 'x'], new Uint8Array([0x78])),
    bytes(['MGET', 'k', 'nope'], [new Uint8Array([0x76]), null]),
    bytes(['INCR', 'n'], 1),
  ),
  c(
    'PING and ECHO',
    [['PING'], 'PONG'],
    [['PING', 'hi'], 'hi'],
    [['ping'], 'PONG'],
    [['PING', 'a', 'b'], arity('ping')],
    [['ECHO', 'x'], 'x'],
    [['ECHO'], arity('echo')],
  ),
  c(
    'commands are case-insensitive',
    [['set', 'k', 'v'], 'OK'],
    [['GeT', 'k'], 'v'],
    [['set', 'k', 'v', 'px', 100], 'OK'],
  ),
  c(
    'unknown commands',
    [['FOO', 'a', 'b'], error("ERR unknown command 'FOO', with args beginning with: 'a' 'b' ")],
    [['nosuch'], error("ERR unknown command 'nosuch', with args beginning with: ")],
  ),
  c(
    'wrong arity',
    [['GET'], arity('get')],
    [['get', 'a', 'b'], arity('get')],
    [['TIME', 'x'], arity('time')],
    [['DBSIZE', 'x'], arity('dbsize')],
  ),
]

/** INCR then PEXPIRE, the fixed-window step. */
export const counter: Script = defineScript({
  name: 'counter',
  lua: "-- KEYS[1] counter; ARGV[1] ttl ms\nlocal n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n",
  twin: (redis, keys, argv) => {
    const n = redis.call('INCR', keys[0]!)
    redis.call('PEXPIRE', keys[0]!, argv[0]!)
    return n
  },
})
const shapes = defineScript({
  name: 'shapes',
  lua: "return { 1.7, -2.5, 'x', redis.call('GET', KEYS[1]), 4 }",
  twin: (redis, keys) => [1.7, -2.5, 'x', redis.call('GET', keys[0]!), 4],
})
const setAndGet = defineScript({
  name: 'setAndGet',
  lua: "return { redis.call('SET', KEYS[1], ARGV[1]), redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) }",
  twin: (redis, keys, argv) => [
    redis.call('SET', keys[0]!, argv[0]!),
    redis.call('GET', keys[0]!),
    redis.call('GET', keys[1]!),
  ],
})
const calling = (name: string, lua: string, twin: (call: (...args: Arg[]) => Reply) => Reply): Script =>
  defineScript({ name, lua, twin: (redis) => twin(redis.call) })

export const scriptCases: BehaviourCase[] = [
  c(
    'a script runs atomically and sees the same data',
    evalStep(counter, ['n'], [100_000], 1),
    evalStep(counter, ['n'], [100_000], 2),
    [['GET', 'n'], '2'],
    [['PTTL', 'n'], between(99_000, 100_000)],
  ),
  c('a script result converts as Lua values do', evalStep(shapes, ['nope'], [], [1, -2, 'x', null, 4])),
  c('status replies and nil inside a script', evalStep(setAndGet, ['a', 'b'], ['v'], ['OK', 'v', null])),
  c(
    'a failing redis.call fails the script with the server code',
    [['HSET', 'h', 'f', 'v'], 1],
    evalStep(counter, ['h'], [1000], {
      prefix: 'WRONGTYPE Operation against a key holding the wrong kind of value',
    }),
  ),
  c(
    'commands a script may not call',
    evalStep(
      calling('unknown', "return redis.call('NOSUCH')", (call) => call('NOSUCH')),
      [],
      [],
      { prefix: 'ERR Unknown command called from script' },
    ),
    evalStep(
      calling('arity', "return redis.call('GET')", (call) => call('GET')),
      [],
      [],
      { prefix: 'ERR Wrong number of args calling command from script' },
    ),
    evalStep(
      calling('nested', "return redis.call('EVAL', 'return 1', 0)", (call) => call('EVAL', 'return 1', 0)),
      [],
      [],
      { prefix: 'ERR This Redis command is not allowed from script' },
    ),
  ),
]

export const allCases: BehaviourCase[] = [
  ...stringCases,
  ...keyCases,
  ...hashCases,
  ...setCases,
  ...sortedSetCases,
  ...serverCases,
  ...scriptCases,
]
