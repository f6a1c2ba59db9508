/**
 * The in-process block cache: identifiers known to be blocked, each until the moment a unit-cost
 * call could pass again, answered without a round trip. Bounded, least recently used first out,
 * so an attacker rotating identifiers cannot grow it without limit (Upstash's ephemeral cache is
 * an unbounded Map). Times are in the caller's clock; only durations from the server cross over.
 */

export interface BlockEntry {
  /** Caller-clock ms until which the identifier is blocked. */
  readonly until: number
  /** The `reset` of the result that blocked it (server clock, epoch ms). */
  readonly reset: number
  /** The binding limit and policy name of that result. */
  readonly limit: number
  readonly policy: string
}

export class BlockCache {
  readonly #max: number
  readonly #entries = new Map<string, BlockEntry>()

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new TypeError(`blockCache.max must be a positive whole number, received ${String(max)}`)
    }
    this.#max = max
  }

  get size(): number {
    return this.#entries.size
  }

  /** The entry for `id` if it still blocks at `now`; expired entries are dropped on the way. */
  get(id: string, now: number): BlockEntry | undefined {
    const entry = this.#entries.get(id)
    if (entry === undefined) return undefined
    if (entry.until <= now) {
      this.#entries.delete(id)
      return undefined
    }
    return entry
  }

  set(id: string, entry: BlockEntry): void {
    // Re-inserting moves the key to the end of the Map's order: the most recently used.
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  delete(id: string): void {
    this.#entries.delete(id)
  }
}
