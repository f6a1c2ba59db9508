/**
 * Which commands only read. The HTTP transport retries a failed request only when running it twice
 * cannot change anything: either nothing reached the server, or every command in it is listed here.
 * The list is deliberately short and conservative: a command missing from it is treated as a write.
 */
import type { Command } from '../types.ts'

const READ_ONLY = new Set([
  // keys and server
  'DBSIZE',
  'ECHO',
  'EXISTS',
  'EXPIRETIME',
  'PEXPIRETIME',
  'PING',
  'PTTL',
  'TIME',
  'TTL',
  'TYPE',
  // strings and bits
  'BITCOUNT',
  'BITPOS',
  'GET',
  'GETBIT',
  'GETRANGE',
  'LCS',
  'MGET',
  'STRLEN',
  'SUBSTR',
  // hashes
  'HEXISTS',
  'HGET',
  'HGETALL',
  'HKEYS',
  'HLEN',
  'HMGET',
  'HRANDFIELD',
  'HSCAN',
  'HSTRLEN',
  'HVALS',
  // lists
  'LINDEX',
  'LLEN',
  'LPOS',
  'LRANGE',
  // sets
  'SCARD',
  'SDIFF',
  'SINTER',
  'SINTERCARD',
  'SISMEMBER',
  'SMEMBERS',
  'SMISMEMBER',
  'SRANDMEMBER',
  'SSCAN',
  'SUNION',
  // sorted sets
  'ZCARD',
  'ZCOUNT',
  'ZDIFF',
  'ZINTER',
  'ZINTERCARD',
  'ZLEXCOUNT',
  'ZMSCORE',
  'ZRANDMEMBER',
  'ZRANGE',
  'ZRANGEBYLEX',
  'ZRANGEBYSCORE',
  'ZRANK',
  'ZREVRANGE',
  'ZREVRANGEBYLEX',
  'ZREVRANGEBYSCORE',
  'ZREVRANK',
  'ZSCAN',
  'ZSCORE',
  'ZUNION',
  // streams, geo, scans
  'GEODIST',
  'GEOHASH',
  'GEOPOS',
  'GEOSEARCH',
  'GEORADIUSBYMEMBER_RO',
  'GEORADIUS_RO',
  'KEYS',
  'SCAN',
  'XLEN',
  'XRANGE',
  'XREVRANGE',
  // scripts the server itself refuses to let write
  'EVALSHA_RO',
  'EVAL_RO',
  'FCALL_RO',
])

/** True when `command` cannot change data (its name is on the read-only list). */
export const isReadOnly = (command: Command): boolean => {
  const name = command[0]
  return typeof name === 'string' && READ_ONLY.has(name.toUpperCase())
}
