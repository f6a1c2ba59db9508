/**
 * The Lua scripts behind stateful sessions, each with its TypeScript twin for the memory backend.
 * Each script's KEYS and ARGV are named in the comment above its Lua, not inside it: the Lua text
 * ships in every Worker bundle and travels with every EVAL.
 * A session is one hash: `m:abs` (absolute end, epoch ms) and one `d:<field>` per data field, so
 * parallel requests that change different fields merge instead of overwriting each other. Every
 * script touches one key, so all of them run unchanged on a Valkey Cluster.
 */
import { defineScript } from '../client/script.ts'

/** The hash field holding the absolute end of the session's life. */
export const ABSOLUTE_FIELD = 'm:abs'
/** Data fields are stored as `d:<name>`, apart from the metadata. */
export const DATA_PREFIX = 'd:'
/** The only field of a retired session: its id was replaced by `regenerate()` moments ago. */
export const RETIRED_FIELD = 'm:retired'

/** Writes changed fields of a live session; never recreates one that is gone. */
export const updateSession = defineScript({
  name: 'updateSession',
  // KEYS[1] session hash; ARGV[1] now (epoch ms); ARGV[2] idle timeout (ms); ARGV[3] n;
  // ARGV[4 .. 3+2n] field, value pairs to set; the ARGV after them: fields to delete.
  // Returns the new TTL in ms, or 0 when the session is gone (expired or destroyed meanwhile).
  lua: `local abs = tonumber(redis.call('HGET', KEYS[1], '${ABSOLUTE_FIELD}'))
if not abs then return 0 end
local left = abs - tonumber(ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
local n = tonumber(ARGV[3])
for i = 4, 3 + 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 4 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local ttl = math.min(tonumber(ARGV[2]), left)
redis.call('PEXPIRE', KEYS[1], ttl)
return ttl`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    const abs = redis.call('HGET', key, ABSOLUTE_FIELD)
    if (typeof abs !== 'string') return 0
    const left = Number(abs) - Number(argv[0])
    if (left <= 0) {
      redis.call('DEL', key)
      return 0
    }
    const n = Number(argv[2])
    for (let i = 3; i < 3 + 2 * n; i += 2) redis.call('HSET', key, argv[i]!, argv[i + 1]!)
    for (let i = 3 + 2 * n; i < argv.length; i++) redis.call('HDEL', key, argv[i]!)
    const ttl = Math.min(Number(argv[1]), left)
    redis.call('PEXPIRE', key, ttl)
    return ttl
  },
})

/** Stores a new session; refuses to overwrite an existing key. */
export const createSession = defineScript({
  name: 'createSession',
  // KEYS[1] new session hash; ARGV[1] absolute end (epoch ms); ARGV[2] ttl (ms);
  // ARGV[3 ..] field, value pairs. Returns 1, or 0 when the key exists (it is left alone).
  lua: `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '${ABSOLUTE_FIELD}', ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    if (redis.call('EXISTS', key) === 1) return 0
    redis.call('HSET', key, ABSOLUTE_FIELD, argv[0]!)
    for (let i = 2; i < argv.length; i += 2) redis.call('HSET', key, argv[i]!, argv[i + 1]!)
    redis.call('PEXPIRE', key, argv[1]!)
    return 1
  },
})

/**
 * Retires a session whose id was replaced: its data goes, and a marker stays for a short grace
 * period, so a request that raced the change (sent with the old cookie) is told `replaced` and does
 * not clear the new cookie in the browser. Only a live session is retired: one destroyed, expired or
 * already replaced meanwhile answers 0, and the replacement is dropped (it would bring it back).
 */
export const retireSession = defineScript({
  name: 'retireSession',
  // KEYS[1] session hash; ARGV[1] grace period (ms). Returns 1, or 0 when the session was not live.
  lua: `if not redis.call('HGET', KEYS[1], '${ABSOLUTE_FIELD}') then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '${RETIRED_FIELD}', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
  twin: (redis, keys, argv) => {
    if (typeof redis.call('HGET', keys[0]!, ABSOLUTE_FIELD) !== 'string') return 0
    redis.call('DEL', keys[0]!)
    redis.call('HSET', keys[0]!, RETIRED_FIELD, '1')
    redis.call('PEXPIRE', keys[0]!, argv[0]!)
    return 1
  },
})

/**
 * Keeps a user's index (a sorted set of session hashes scored by their absolute end) in step:
 * drops entries whose sessions can no longer live, removes and adds one, and expires the index
 * with its longest-lived entry. Given the user's revocation marker as a second key, the removal
 * must find its entry: a session moving to a new id is refused (-1) when `destroyAll` took the
 * index since it was loaded, so a request that raced `destroyAll` cannot keep the user signed in.
 */
export const indexSession = defineScript({
  name: 'indexSession',
  // KEYS[1] user index (sorted set); KEYS[2] (optional) the user's revocation marker; ARGV[1] now
  // (epoch ms); ARGV[2] member to remove or ''; ARGV[3] member to add or ''; ARGV[4] its score
  // (absolute end, epoch ms). Returns the entry count, or -1 when refused.
  lua: `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[2] ~= '' and redis.call('ZREM', KEYS[1], ARGV[2]) == 0 and KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if ARGV[3] ~= '' then redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3]) end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last == 0 then return 0 end
redis.call('PEXPIREAT', KEYS[1], last[2])
return redis.call('ZCARD', KEYS[1])`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    redis.call('ZREMRANGEBYSCORE', key, '-inf', argv[0]!)
    if (argv[1] && redis.call('ZREM', key, argv[1]) === 0 && keys[1] && redis.call('EXISTS', keys[1]) === 1)
      return -1
    if (argv[2]) redis.call('ZADD', key, argv[3]!, argv[2])
    const last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES') as string[]
    if (last.length === 0) return 0
    redis.call('PEXPIREAT', key, last[1]!)
    return redis.call('ZCARD', key)
  },
})

/**
 * Empties a user's index and returns the session hashes it held that may still be alive. It also
 * sets the user's revocation marker for the sessions' longest life, which `indexSession` checks when a session moves to a new id.
 */
export const takeSessions = defineScript({
  name: 'takeSessions',
  // KEYS[1] user index (sorted set); KEYS[2] the user's revocation marker; ARGV[1] now (epoch ms);
  // ARGV[2] the marker's TTL (ms). Returns the live entries; deletes the index.
  lua: `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return members`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    redis.call('ZREMRANGEBYSCORE', key, '-inf', argv[0]!)
    const members = redis.call('ZRANGE', key, 0, -1)
    redis.call('DEL', key)
    redis.call('SET', keys[1]!, argv[0]!, 'PX', argv[1]!)
    return members
  },
})
