/**
 * The script behind `SessionStore`'s field-level writes: a session is a hash with one field per
 * top-level property (JSON), so a save writes only the properties this request changed and two
 * parallel requests that change different properties keep both.
 */
import { defineScript } from '../client/script.ts'

export const saveFields = defineScript({
  name: 'saveFields',
  lua: `-- KEYS[1] session hash; ARGV[1] ttl (ms, 0 = none); ARGV[2] 1 replaces the whole hash;
-- ARGV[3] n; ARGV[4 .. 3+2n] field, value pairs to set; the ARGV after them: fields to delete.
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
local n = tonumber(ARGV[3])
for i = 4, 3 + 2 * n, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
for i = 4 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local ttl = tonumber(ARGV[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return 1`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    if (argv[1] === '1') redis.call('DEL', key)
    const n = Number(argv[2])
    for (let i = 3; i < 3 + 2 * n; i += 2) redis.call('HSET', key, argv[i]!, argv[i + 1]!)
    for (let i = 3 + 2 * n; i < argv.length; i++) redis.call('HDEL', key, argv[i]!)
    const ttl = Number(argv[0])
    if (ttl > 0) redis.call('PEXPIRE', key, ttl)
    else redis.call('PERSIST', key)
    return 1
  },
})
