/**
 * A sorted set: members ordered by score, ties broken by member, as Valkey orders them. A map gives
 * each member's score; a sorted array gives the order, kept with binary search. Inserting is
 * O(n) in the worst case, which is fine at the sizes limiters use (a sliding log holds at most
 * `limit` entries).
 */
import { toBytes } from './bytes.ts'

/**
 * Orders two members as Valkey does, by their bytes (memcmp). UTF-16 order agrees with UTF-8 byte
 * order except where a surrogate (a character past U+FFFF, or an escaped raw byte) meets a
 * character from U+E000 up; only then are the remaining bytes compared.
 */
export const compareMembers = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if ((x < 0xd800 && y < 0xd800) || (x >= 0xe000 && y >= 0xe000)) return x - y
    // Start at a whole character: back up over the first half of a surrogate pair.
    const previous = i > 0 ? a.charCodeAt(i - 1) : 0
    const from = previous >= 0xd800 && previous <= 0xdbff ? i - 1 : i
    const left = toBytes(a.slice(from))
    const right = toBytes(b.slice(from))
    const m = Math.min(left.length, right.length)
    for (let j = 0; j < m; j++) if (left[j] !== right[j]) return left[j]! - right[j]!
    return left.length - right.length
  }
  return a.length - b.length
}

export class SortedSet {
  readonly scores = new Map<string, number>()
  readonly #order: string[] = []

  get size(): number {
    return this.#order.length
  }

  /** The position of (score, member) in the order, or where it would go. */
  #search(score: number, member: string): number {
    let low = 0
    let high = this.#order.length
    while (low < high) {
      const mid = (low + high) >>> 1
      const other = this.#order[mid]!
      const otherScore = this.scores.get(other)!
      if (otherScore < score || (otherScore === score && compareMembers(other, member) < 0)) low = mid + 1
      else high = mid
    }
    return low
  }

  /** Sets `member`'s score, adding it when absent. */
  set(member: string, score: number): void {
    const old = this.scores.get(member)
    if (old !== undefined) {
      if (old === score) return
      this.#order.splice(this.#search(old, member), 1)
    }
    const at = this.#search(score, member)
    this.scores.set(member, score)
    this.#order.splice(at, 0, member)
  }

  delete(member: string): boolean {
    const score = this.scores.get(member)
    if (score === undefined) return false
    this.#order.splice(this.#search(score, member), 1)
    this.scores.delete(member)
    return true
  }

  /** Members by rank, `start` to `stop` inclusive, both already within range. */
  slice(start: number, stop: number): string[] {
    return this.#order.slice(start, stop + 1)
  }

  /** The rank of the first member with a score above `min` (or at it, when `inclusive`). */
  rankOf(min: number, inclusive: boolean): number {
    let low = 0
    let high = this.#order.length
    while (low < high) {
      const mid = (low + high) >>> 1
      const score = this.scores.get(this.#order[mid]!)!
      if (score < min || (!inclusive && score === min)) low = mid + 1
      else high = mid
    }
    return low
  }

  /** Removes the members at ranks `start` (inclusive) to `end` (exclusive). */
  deleteRange(start: number, end: number): number {
    const removed = this.#order.splice(start, end - start)
    for (const member of removed) this.scores.delete(member)
    return removed.length
  }
}
