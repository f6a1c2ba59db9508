/**
 * Carrying `@upstash/ratelimit`'s counters over, so that switching to floodgate never hands a
 * caller a fresh quota in the middle of a window. Upstash keeps its state under its own key
 * layout (read from its 2.2 source): fixed and sliding window `<prefix>:<id>:<floor(ms/window)>`
 * (a counter per window, the sliding window reading the previous one too), token bucket
 * `<prefix>:<id>` (a hash of `tokens` and `refilledAt`), all on the caller's clock.
 *
 * The first time a process sees an identifier, it reads what Upstash's state says is used now and
 * charges that to floodgate's limiter, once across all processes: the read and a marker
 * `<prefix>:<id>:floodgate-carried` (SET NX, expiring with the longest window) go in one script,
 * so exactly one process charges. Identifiers Upstash never saw cost one round trip the first
 * time; once the longest window has passed since the switch, turn the option off.
 */
import { defineScript } from '../client/script.ts'
import type { Client } from '../client/types.ts'
import type { Algorithm } from './algorithm.ts'

/** What Upstash's state for one algorithm says is used at `now` (caller clock). */
export const upstashUsed = (algorithm: Algorithm, state: readonly (string | null)[], now: number): number => {
  const n = (value: string | null | undefined) => (value == null ? 0 : Number(value) || 0)
  const [a, ms, c] = algorithm.params
  if (algorithm.kind === 'fixedWindow') return Math.min(a, n(state[0]))
  if (algorithm.kind === 'slidingWindow') {
    // Upstash's own weighting of the previous window (floor), so the charge matches its view.
    const weight = 1 - (now % ms) / ms
    return Math.min(a, n(state[0]) + Math.floor(weight * n(state[1])))
  }
  if (algorithm.kind === 'tokenBucket') {
    if (state[0] == null) return 0
    const refills = Math.floor((now - n(state[1])) / ms)
    const tokens = Math.min(c, n(state[0]) + Math.max(0, refills) * a)
    return Math.max(0, c - tokens)
  }
  return 0
}

/** Upstash's keys for `algorithm` and `identifier` at `now`: [key, previous-window key or hash]. */
export const upstashKeys = (
  algorithm: Algorithm,
  prefix: string,
  identifier: string,
  now: number,
): string[] => {
  const ms = algorithm.params[1]
  if (algorithm.kind === 'tokenBucket') return [`${prefix}:${identifier}`]
  const window = Math.floor(now / ms)
  return [`${prefix}:${identifier}:${window}`, `${prefix}:${identifier}:${window - 1}`]
}

// KEYS[1] the marker, KEYS[2..] Upstash's keys; ARGV[1] the marker's TTL in ms, ARGV[2..] per key
// 'h' (a token-bucket hash) or 's' (a counter). Returns nil when another process already carried.
const CARRY = defineScript({
  name: 'carryUpstashCounters',
  lua: `-- KEYS[1] marker, KEYS[2..] @upstash/ratelimit keys; ARGV[1] marker ttl ms, ARGV[2..] 'h' or 's'
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return false end
local out = {}
for i = 2, #KEYS do
  if ARGV[i] == 'h' then
    local t = redis.call('HMGET', KEYS[i], 'tokens', 'refilledAt')
    out[#out + 1] = t[1] or ''
    out[#out + 1] = t[2] or ''
  else
    out[#out + 1] = redis.call('GET', KEYS[i]) or ''
  end
end
return out`,
})

/**
 * Reads Upstash's state for `identifier` once across processes and returns, per algorithm, the
 * units to charge; `undefined` when another process carried this identifier already.
 */
export const carryUpstashCounters = async (
  client: Client,
  prefix: string,
  identifier: string,
  algorithms: readonly Algorithm[],
  now = Date.now(),
): Promise<number[] | undefined> => {
  const keys: string[] = []
  const kinds: string[] = []
  for (const algorithm of algorithms) {
    for (const key of upstashKeys(algorithm, prefix, identifier, now)) {
      keys.push(key)
      kinds.push(algorithm.kind === 'tokenBucket' ? 'h' : 's')
    }
  }
  const longest = Math.max(...algorithms.map((a) => 2 * a.params[1]))
  const marker = `${prefix}:${identifier}:floodgate-carried`
  const reply = await client.eval(CARRY, [marker, ...keys], [String(longest), ...kinds])
  if (!Array.isArray(reply)) return undefined
  const values = reply.map((v) => (v === '' || v === null ? null : String(v)))
  let i = 0
  return algorithms.map((algorithm) => {
    // Two values each: current and previous window, or the hash's tokens and refilledAt.
    const state = values.slice(i, i + 2)
    i += 2
    return upstashUsed(algorithm, state, now)
  })
}
