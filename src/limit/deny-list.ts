/**
 * Deny lists for `Ratelimit`'s `enableProtection`, on `@upstash/ratelimit`'s keys: the Valkey set
 * `<prefix>:denyList:all` holds every denied value (identifiers, IPs, user agents, countries), so
 * a deny list kept by the Upstash console or by an app's own SADD carries over unchanged. A hit is
 * remembered in process for a minute (bounded, unlike Upstash's module-wide cache that empties
 * itself at 1000 entries), so a denied caller that keeps coming costs no round trip.
 */
import type { Client } from '../client/types.ts'

const HIT_TTL = 60_000
const MAX_HITS = 10_000

export const denyListKey = (prefix: string): string => `${prefix}:denyList:all`

export interface DenyList {
  /** The first of `values` that is on the list, answered from the in-process cache when it knows. */
  cached(values: readonly string[], now?: number): string | undefined
  /** Asks Valkey which of `values` is on the list; resolves with the first, or undefined. */
  check(values: readonly string[]): Promise<string | undefined>
  /** Adds values to the deny list (SADD). */
  add(...values: string[]): Promise<void>
  /** Removes values from the deny list (SREM) and from this process's cache. */
  remove(...values: string[]): Promise<void>
}

/**
 * The deny list of the limiter with key prefix `prefix`.
 *
 * @example
 * const denyList = createDenyList(client, '@upstash/ratelimit')
 * await denyList.add('203.0.113.7', 'BadBot/1.0')
 */
export const createDenyList = (client: Client, prefix: string): DenyList => {
  const key = denyListKey(prefix)
  const hits = new Map<string, number>()

  const remember = (value: string) => {
    hits.delete(value)
    hits.set(value, Date.now() + HIT_TTL)
    if (hits.size > MAX_HITS) hits.delete(hits.keys().next().value as string)
  }

  return {
    cached(values, now = Date.now()) {
      if (hits.size === 0) return undefined
      for (const value of values) {
        const until = hits.get(value)
        if (until === undefined) continue
        if (until > now) return value
        hits.delete(value)
      }
      return undefined
    },
    async check(values) {
      if (values.length === 0) return undefined
      const reply = await client.send(['SMISMEMBER', key, ...values])
      if (!Array.isArray(reply)) return undefined
      const index = reply.findIndex((member) => Number(member) === 1)
      if (index < 0) return undefined
      const value = values[index]!
      remember(value)
      return value
    },
    async add(...values) {
      if (values.length > 0) await client.send(['SADD', key, ...values])
    },
    async remove(...values) {
      for (const value of values) hits.delete(value)
      if (values.length > 0) await client.send(['SREM', key, ...values])
    },
  }
}
