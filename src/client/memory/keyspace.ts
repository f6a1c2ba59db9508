/**
 * The memory backend's data: one `Map` from key to entry, with expiry and an optional key cap.
 *
 * Expired keys are reclaimed two ways, as in Valkey: lazily, when a command touches one, and
 * actively, by a sweep that visits a few keys each time a key is created (a cursor walks the map
 * in insertion order and wraps around). Creating a key therefore pays for reclaiming about as many
 * dead keys as it adds, so the map stays within a small factor of the live keys however many
 * one-off identifiers pass through, and no timer is needed to keep it there.
 *
 * With `maxKeys` the map also serves as the LRU list: a key touched is moved to the end, and
 * creating a key beyond the cap evicts the key at the front, the least recently used.
 */
import { wrongType } from './reply.ts'
import type { SortedSet } from './sorted-set.ts'

export interface StringEntry {
  type: 'string'
  /**
   * A safe integer is kept as a number, so INCR neither parses nor prints. A list of integers is
   * the text of them joined by `:`, kept unprinted for script twins (`setIntegersPx`); the entry
   * owns it and it changes in place, so copying an entry must copy the list.
   */
  value: string | number | readonly number[]
  /** Epoch milliseconds after which the key is gone; `Infinity` when it never expires. */
  expiresAt: number
}
export interface HashEntry {
  type: 'hash'
  value: Map<string, string | number>
  expiresAt: number
}
export interface SetEntry {
  type: 'set'
  value: Set<string>
  /** Whether Valkey would still keep this set as an intset (all integers), which it lists sorted. */
  intset: boolean
  expiresAt: number
}
export interface ZSetEntry {
  type: 'zset'
  value: SortedSet
  expiresAt: number
}
export type Entry = StringEntry | HashEntry | SetEntry | ZSetEntry

/** Keys the sweep visits per key created; 4 keeps the map within ~4/3 of the live keys. */
const SWEEP_STEPS = 4

export class Keyspace {
  readonly #map = new Map<string, Entry>()
  readonly #clock: () => number
  readonly #maxKeys: number
  #frozen: number | undefined
  #depth = 0
  #cursor: MapIterator<[string, Entry]>
  // The last key looked up and its entry: a script's SET after its GET of the same key (the
  // limiter's and the sessions' pattern) then costs no second hash lookup. Cleared whenever that
  // key's entry could change identity.
  #lastKey: string | undefined
  #lastEntry: Entry | undefined

  constructor(clock: () => number, maxKeys: number) {
    this.#clock = clock
    this.#maxKeys = maxKeys
    this.#cursor = this.#map.entries()
  }

  /** The current time in ms; fixed while a script runs, as Valkey fixes it for a script. */
  now(): number {
    return this.#frozen ?? this.#clock()
  }

  /**
   * Fixes the clock at this instant until the matching `thaw()`, for a script's run or a
   * pipeline's batch (Valkey reads its clock once per batch of commands it reads together).
   * Calls nest: only the outermost reads the clock.
   */
  freeze(): void {
    if (this.#depth++ === 0) this.#frozen = this.#clock()
  }

  thaw(): void {
    if (--this.#depth === 0) this.#frozen = undefined
  }

  /** The live entry under `key`, reclaiming it first when it has expired. */
  get(key: string): Entry | undefined {
    const entry = key === this.#lastKey ? this.#lastEntry : this.#lookup(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt !== Infinity && entry.expiresAt < this.now()) {
      this.delete(key)
      return undefined
    }
    return entry
  }

  #lookup(key: string): Entry | undefined {
    const entry = this.#map.get(key)
    if (entry !== undefined && this.#maxKeys !== Infinity) {
      this.#map.delete(key)
      this.#map.set(key, entry)
    }
    this.#lastKey = key
    this.#lastEntry = entry
    return entry
  }

  /** The live entry under `key` when it has type `type`, else `undefined`; WRONGTYPE otherwise. */
  typed<T extends Entry['type']>(key: string, type: T): Extract<Entry, { type: T }> | undefined {
    const entry = this.get(key)
    if (entry === undefined) return undefined
    if (entry.type !== type) throw wrongType()
    return entry as Extract<Entry, { type: T }>
  }

  /** Stores `entry` under `key`, replacing what was there. Its expiry must lie in the future. */
  set(key: string, entry: Entry): void {
    if (!this.#map.has(key)) this.#created()
    this.#map.set(key, entry)
    this.#lastKey = key
    this.#lastEntry = entry
  }

  delete(key: string): boolean {
    if (key === this.#lastKey) this.#lastKey = undefined
    return this.#map.delete(key)
  }

  /** How many keys the map holds, expired ones not yet reclaimed included (as DBSIZE counts). */
  get size(): number {
    return this.#map.size
  }

  clear(): void {
    this.#map.clear()
    this.#lastKey = undefined
  }

  /** Visits up to `budget` keys and reclaims the expired ones; returns how many it reclaimed. */
  sweep(budget: number): number {
    const now = this.now()
    let reclaimed = 0
    let wrapped = false
    for (let i = 0; i < budget; i++) {
      const next = this.#cursor.next()
      if (next.done) {
        this.#cursor = this.#map.entries()
        if (wrapped || this.#map.size === 0) break
        wrapped = true
        continue
      }
      if (next.value[1].expiresAt < now) {
        this.delete(next.value[0])
        reclaimed++
      }
    }
    return reclaimed
  }

  #created(): void {
    this.sweep(SWEEP_STEPS)
    if (this.#map.size >= this.#maxKeys) {
      const oldest = this.#map.keys().next()
      if (!oldest.done) this.delete(oldest.value)
    }
  }
}
