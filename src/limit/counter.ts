/**
 * A hit counter with a window that starts at the first hit: the model of express-rate-limit's
 * stores (rate-limit-redis) and of @fastify/rate-limit. Every hit counts, admitted or not, and the
 * caller compares the count with its limit. One script call per hit, so a count is exact however
 * many servers increment the same key at once. The value is a plain integer under the key, as
 * rate-limit-redis and @fastify/rate-limit store it, so counters survive a switch of store.
 */
import { defineScript } from '../client/script.ts'
import type { Client } from '../client/types.ts'

/** Adds ARGV[2] (1 counts a hit, -1 takes one back) and answers `{ count, ttl ms }`. */
export const countHitScript = defineScript({
  name: 'countHit',
  lua: `-- KEYS[1] counter; ARGV[1] window (ms); ARGV[2] amount (1 or -1);
-- ARGV[3] renew: when >= 0, a hit that takes the count past it restarts the window (-1: never).
-- Returns {count, ttl ms}. Taking back from a missing counter answers {0, 0} and creates nothing.
local amount = tonumber(ARGV[2])
if amount < 0 and redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local n = redis.call('INCRBY', KEYS[1], amount)
if n < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  n = 0
end
local ttl = redis.call('PTTL', KEYS[1])
local renew = tonumber(ARGV[3])
if ttl < 0 or (amount > 0 and renew >= 0 and n > renew) then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {n, ttl}`,
  twin: (redis, keys, argv) => {
    const key = keys[0]!
    const amount = Number(argv[1])
    if (amount < 0 && redis.call('EXISTS', key) === 0) return [0, 0]
    let n = redis.call('INCRBY', key, amount) as number
    if (n < 0) {
      redis.call('SET', key, 0, 'KEEPTTL')
      n = 0
    }
    let ttl = redis.call('PTTL', key) as number
    const renew = Number(argv[2])
    if (ttl < 0 || (amount > 0 && renew >= 0 && n > renew)) {
      ttl = Number(argv[0])
      redis.call('PEXPIRE', key, ttl)
    }
    return [n, ttl]
  },
})

export interface Count {
  /** Hits in the current window, this one included. */
  readonly count: number
  /** Ms until the window ends (0 when nothing is counted). */
  readonly ttl: number
}

export interface CountOptions {
  /**
   * Restart the window on a hit that takes the count past this: the limit for @fastify/rate-limit's
   * `continueExceeding`, 0 for every hit (rate-limit-redis's `resetExpiryOnChange`). Default -1: never.
   */
  renewPast?: number
}

/**
 * Counts one hit (`amount` 1) or takes one back (-1) on `key`, in one round trip.
 *
 * @example
 * const { count, ttl } = await countHit(client, 'rl:203.0.113.7', 60_000)
 * if (count > 100) reply.code(429)
 */
export const countHit = async (
  client: Client,
  key: string,
  window: number,
  amount = 1,
  { renewPast = -1 }: CountOptions = {},
): Promise<Count> => {
  const args = [window, amount, renewPast]
  const reply = await client.eval(countHitScript, [key], args)
  const [n, ttl] = reply as [number, number]
  return { count: Number(n), ttl: Number(ttl) }
}
