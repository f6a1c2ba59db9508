/**
 * Command timeouts without a timer per command. Commands on the default timeout get a deadline and
 * share one timer: they are queued in issue order, so their deadlines are ordered too, and one
 * sweep from the oldest finds every expired one. A call's own `{ timeout }` or `{ signal }` gets
 * its own timer or listener.
 */
import { TimeoutError } from '../../errors.ts'
import type { SendOptions } from '../types.ts'
import type { Fifo } from './fifo.ts'
import type { Pending } from './pending.ts'

export class Deadlines {
  readonly #timeout: number
  /** Sent, then unsent: together, oldest first. */
  readonly #queues: readonly Fifo<Pending>[]
  readonly #expire: (entry: Pending, error: unknown) => void
  readonly #timeoutError: (entry: Pending, ms: number) => TimeoutError
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    timeout: number,
    queues: readonly Fifo<Pending>[],
    expire: (entry: Pending, error: unknown) => void,
    timeoutError: (entry: Pending, ms: number) => TimeoutError,
  ) {
    this.#timeout = timeout
    this.#queues = queues
    this.#expire = expire
    this.#timeoutError = timeoutError
  }

  /** Starts the clock of a new command. */
  arm(entry: Pending, options: SendOptions | undefined): void {
    if (options === undefined || (options.timeout === undefined && options.signal === undefined)) {
      this.#armDefault(entry)
      return
    }
    const { signal, timeout } = options
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
      this.#expire(
        entry,
        new TypeError(`timeout must be a non-negative number of milliseconds, received ${timeout}`),
      )
      return
    }
    if (signal?.aborted) {
      this.#expire(
        entry,
        new TimeoutError(`${entry.name} was aborted before it was sent`, { cause: signal.reason }),
      )
      return
    }
    if (timeout === undefined) this.#armDefault(entry)
    const timer =
      timeout !== undefined && timeout > 0
        ? setTimeout(() => this.#expire(entry, this.#timeoutError(entry, timeout)), timeout)
        : undefined
    const onAbort = () =>
      this.#expire(
        entry,
        new TimeoutError(`${entry.name} was aborted; it may still run`, { cause: signal?.reason }),
      )
    signal?.addEventListener('abort', onAbort, { once: true })
    entry.cleanup = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #armDefault(entry: Pending): void {
    if (this.#timeout === 0) return
    entry.deadline = performance.now() + this.#timeout
    if (this.#timer === undefined) this.#timer = setTimeout(this.#sweep, this.#timeout)
  }

  #sweep = (): void => {
    this.#timer = undefined
    const now = performance.now()
    for (const queue of this.#queues) {
      for (let i = 0; i < queue.length; i++) {
        const entry = queue.at(i)!
        if (entry.done || entry.deadline === 0) continue
        if (entry.deadline > now) {
          this.#timer = setTimeout(this.#sweep, entry.deadline - now)
          return
        }
        this.#expire(entry, this.#timeoutError(entry, this.#timeout))
      }
    }
  }
}
