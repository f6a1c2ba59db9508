/**
 * A sorted set: members ordered by score, ties broken by member, as Valkey orders them. A map gives
 * each member's score; a sorted array gives the order, kept with binary search. Inserting is
 * O(n) in the worst case, which is fine at the sizes limiters use (a sliding log holds at most
 * `limit` entries).
 */

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
      if (otherScore < score || (otherScore === score && other < member)) low = mid + 1
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
