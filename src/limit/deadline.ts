/**
 * Timeouts for many concurrent backend calls with one timer: every call gets the same timeout, so
 * deadlines arrive in call order and a FIFO plus a single timer armed for the oldest pending
 * deadline covers them all. A `setTimeout` + `Promise.race` per decision costs more than the
 * rest of the limiter's own work. Deadlines are on the monotonic clock, as timers are, so a
 * wall-clock step cannot fire them early or hold them back.
 */
import { TimeoutError } from '../errors.ts'

interface Entry {
  readonly deadline: number
  readonly reject: (error: unknown) => void
  done: boolean
}

export class Deadlines {
  readonly #ms: number
  #queue: Entry[] = []
  #head = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(ms: number) {
    this.#ms = ms
  }

  /** `call`, or a `TimeoutError` if it has not settled within the timeout. */
  guard<T>(call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = { deadline: performance.now() + this.#ms, reject, done: false }
      this.#push(entry)
      call.then(
        (value) => {
          entry.done = true
          resolve(value)
        },
        (error: unknown) => {
          entry.done = true
          reject(error)
        },
      )
    })
  }

  #push(entry: Entry): void {
    // Calls mostly settle in order: drop settled ones from the front so the queue stays short.
    const queue = this.#queue
    while (this.#head < queue.length && queue[this.#head]!.done) this.#head++
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head)
      this.#head = 0
    }
    this.#queue.push(entry)
    if (this.#timer === undefined) this.#arm(this.#ms)
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
        entry.done = true
        entry.reject(new TimeoutError(`the limiter backend did not answer within ${this.#ms} ms`))
      }
      this.#head++
    }
    this.#queue = []
    this.#head = 0
  }
}
