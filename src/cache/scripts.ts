/**
 * The two scripts of the cache's lock. Both touch the entry key and its lock key, which share a
 * hash tag (`{prefix:key}` and `{prefix:key}:lock`), so they are one slot on a cluster.
 */
import { defineScript } from '../client/script.ts'

/**
 * Stores the computed value and frees the lock, if we still hold it, in one round trip.
 * KEYS[1] the entry, KEYS[2] its lock; ARGV[1] our token, ARGV[2] the entry text, ARGV[3] its TTL (ms).
 */
export const writeAndRelease = defineScript({
  name: 'cacheWriteAndRelease',
  lua: `redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`,
  twin: (redis, keys, argv) => {
    redis.call('SET', keys[0]!, argv[1]!, 'PX', argv[2]!)
    if (redis.call('GET', keys[1]!) === argv[0]) redis.call('DEL', keys[1]!)
    return 1
  },
})

/**
 * Frees the lock if we still hold it: at once (ARGV[2] = 0), or after ARGV[2] ms, which keeps other
 * processes from retrying a refresh that just failed (`graceBackoff`).
 * KEYS[1] the lock; ARGV[1] our token, ARGV[2] ms to keep it (0: delete now).
 */
export const release = defineScript({
  name: 'cacheRelease',
  lua: `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`,
  twin: (redis, keys, argv) => {
    if (redis.call('GET', keys[0]!) !== argv[0]) return 0
    if (argv[1] === '0') redis.call('DEL', keys[0]!)
    else redis.call('PEXPIRE', keys[0]!, argv[1]!)
    return 1
  },
})
