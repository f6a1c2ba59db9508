/**
 * A first-in, first-out queue with O(1) push and shift (an array plus a head index, compacted
 * once the consumed prefix dominates), for commands waiting to be written or answered.
 */
export class Fifo<T> {
  #items: Array<T | undefined> = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
  }

  /** The oldest item, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[this.#head]
  }

  /** The item `index` places after the oldest. */
  at(index: number): T | undefined {
    return this.#items[this.#head + index]
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head++] = undefined
    if (this.#head === this.#items.length) {
      this.#items.length = 0
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[]
    this.#items = []
    this.#head = 0
    return items
  }
}
