/**
 * `Ratelimit`'s dynamic limit: one limit for every identifier, changed at run time and stored in
 * Valkey under `@upstash/ratelimit`'s key, `<prefix>:dynamic:global`, so a limit set before the
 * switch still applies. Upstash reads it inside every decision's script; floodgate keeps it in
 * process and re-reads it at most once a second, off the hot path (the refresh rides in a
 * decision's `pending`), so a decision costs no extra command. The instance that sets the limit
 * applies it at once; other instances within a second.
 */
import type { Client } from '../client/types.ts'

const REFRESH_MS = 1000

export const dynamicLimitKey = (prefix: string): string => `${prefix}:dynamic:global`

export class DynamicLimit {
  readonly #client: Client
  readonly #key: string
  #value: number | null = null
  #readAt = Number.NEGATIVE_INFINITY
  #reading: Promise<unknown> | undefined

  constructor(client: Client, prefix: string) {
    this.#client = client
    this.#key = dynamicLimitKey(prefix)
  }

  /** The limit in force (null: the configured one) and, when a refresh started, its promise. */
  current(now = Date.now()): { limit: number | null; refresh?: Promise<unknown>; fresh: boolean } {
    const fresh = this.#readAt !== Number.NEGATIVE_INFINITY
    if (now - this.#readAt < REFRESH_MS) return { limit: this.#value, fresh }
    this.#readAt = now
    this.#reading ??= this.read().finally(() => {
      this.#reading = undefined
    })
    return { limit: this.#value, refresh: this.#reading, fresh }
  }

  /** Reads the stored limit now. */
  async read(): Promise<number | null> {
    try {
      const reply = await this.#client.send(['GET', this.#key])
      const n = reply === null ? null : Number(reply)
      this.#value = n !== null && Number.isSafeInteger(n) && n > 0 ? n : null
      this.#readAt = Date.now()
    } catch {
      // Keep the last known limit; the next call retries.
    }
    return this.#value
  }

  async set(limit: number | false): Promise<void> {
    if (limit === false) {
      await this.#client.send(['DEL', this.#key])
      this.#value = null
    } else {
      if (!(Number.isSafeInteger(limit) && limit > 0)) {
        throw new TypeError(
          `setDynamicLimit: limit must be a positive whole number or false, received ${String(limit)}`,
        )
      }
      await this.#client.send(['SET', this.#key, String(limit)])
      this.#value = limit
    }
    this.#readAt = Date.now()
  }
}
