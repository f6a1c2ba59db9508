/**
 * The optional in-process first level: a bounded LRU of decoded values, each kept at most `ttl` ms
 * (and never past its own freshness), so hot keys skip the round trip. Its staleness is bounded by
 * that short TTL: an update made by another instance is seen at most `ttl` ms late. `invalidate`
 * and `clear` are the seam a cross-instance notifier (pub/sub) calls to make that immediate.
 */

interface Slot {
  readonly value: unknown
  readonly until: number
  readonly tags: readonly string[] | undefined
}

export class L1 {
  readonly max: number
  readonly ttl: number
  readonly #map = new Map<string, Slot>()

  constructor(max: number, ttl: number) {
    this.max = max
    this.ttl = ttl
  }

  get size(): number {
    return this.#map.size
  }

  /** The value kept for `key`, or `undefined`; marks it recently used. */
  get(key: string, now: number): { value: unknown } | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    this.#map.delete(key)
    if (slot.until <= now) return undefined
    // Re-inserting moves it to the back of the Map's order: the front is the least recently used.
    this.#map.set(key, slot)
    return { value: slot.value }
  }

  /** Keeps `value` until `now + ttl`, or `freshUntil` if sooner; evicts the least recently used. */
  set(key: string, value: unknown, now: number, freshUntil: number, tags?: readonly string[]): void {
    const until = Math.min(now + this.ttl, freshUntil)
    if (until <= now) return
    this.#map.delete(key)
    if (this.#map.size >= this.max) this.#map.delete(this.#map.keys().next().value!)
    this.#map.set(key, { value, until, tags })
  }

  /** Forgets `key` here (call it when another instance changed it). */
  invalidate(key: string): void {
    this.#map.delete(key)
  }

  /** Forgets every value carrying one of `tags` (a walk over at most `max` entries). */
  invalidateTags(tags: readonly string[]): void {
    const wanted = new Set(tags)
    for (const [key, slot] of this.#map) {
      if (slot.tags?.some((tag) => wanted.has(tag))) this.#map.delete(key)
    }
  }

  clear(): void {
    this.#map.clear()
  }
}
