/**
 * One timer for many deadlines of the same length. Entries get `now + ms` when added, so their
 * deadlines arrive in the order they were added: a FIFO plus one timer armed for the oldest
 * pending deadline covers them all. A `setTimeout` per call costs more than the rest of a limiter
 * decision or a pipelined command. Deadlines are on the monotonic clock, as timers are, so a
 * wall-clock step cannot fire them early or hold them back. Used by the TCP client (its default
 * command timeout) and the limiter (its backend timeout). Beside it, `delay`: the plain one-off
 * timer the reconnect and retry loops pause with.
 */

/** What the queue needs of an entry: its deadline (set by `add`) and whether it has settled. */
export interface Deadlined {
  deadline: number
  done: boolean
}

export class Deadlines<E extends Deadlined> {
  readonly #ms: number
  readonly #expire: (entry: E) => void
  #queue: E[] = []
  #head = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /** `expire(entry)` runs once for each entry still not `done` at its deadline. */
  constructor(ms: number, expire: (entry: E) => void) {
    this.#ms = ms
    this.#expire = expire
  }

  /** Starts `entry`'s clock: its deadline is `ms` from now. */
  add(entry: E): void {
    entry.deadline = performance.now() + this.#ms
    // Entries mostly settle in order: drop settled ones from the front so the queue stays short.
    // At once, not after some minimum: a settled entry the array still holds outlives a scavenge
    // and is promoted. Each slice copies fewer entries than it drops, so it stays cheap.
    const queue = this.#queue
    while (this.#head < queue.length && queue[this.#head]!.done) this.#head++
    if (this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head)
      this.#head = 0
    }
    this.#queue.push(entry)
    if (this.#timer === undefined) this.#arm(this.#ms)
  }

  /** Forgets every entry and stops the timer. */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue = []
    this.#head = 0
  }

  #arm(ms: number): void {
    const timer = setTimeout(this.#sweep, ms)
    // Never keep a process alive just to time out calls that are themselves keeping it alive.
    ;(timer as { unref?: () => void }).unref?.()
    this.#timer = timer
  }

  readonly #sweep = (): void => {
    this.#timer = undefined
    // Timers may fire a fraction of a millisecond early by this clock; an entry that close to its
    // deadline has timed out, rather than costing another timer and event-loop turn.
    const now = performance.now() + 1
    const queue = this.#queue
    while (this.#head < queue.length) {
      const entry = queue[this.#head]!
      if (!entry.done) {
        if (entry.deadline > now) {
          this.#arm(entry.deadline - now)
          return
        }
        this.#expire(entry)
      }
      this.#head++
    }
    this.#queue = []
    this.#head = 0
  }
}

/**
 * A promise that resolves after `ms` milliseconds: the pause between attempts of a retry loop.
 *
 * @example
 * await delay(Math.min(1000, 50 * 2 ** failures))
 */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
