/**
 * Command timeouts without a timer per command. Commands on the default timeout share one deadline
 * queue (`../deadlines.ts`): they are added in issue order, so their deadlines are ordered too. So
 * do commands with the same `{ timeout }` of their own (a caller such as the cache passes the same
 * one on every call), up to `SHARED` distinct values; past those, and with a `{ signal }`, a call
 * gets its own timer or listener.
 */
import { TimeoutError } from '../../errors.ts'
import { Deadlines } from '../deadlines.ts'
import type { SendOptions } from '../types.ts'
import type { Pending } from './pending.ts'

/** Distinct per-call timeouts that get a shared queue: callers use a handful, not one per call. */
const SHARED = 16
/** The longest delay a timer takes as given (longer ones fire at once). */
const MAX_DELAY = 2 ** 31 - 1

export class CommandTimeouts {
  readonly #timeout: number
  readonly #expire: (entry: Pending, error: unknown) => void
  readonly #timeoutError: (entry: Pending, ms: number) => TimeoutError
  readonly #deadlines: Deadlines<Pending>
  readonly #shared = new Map<number, Deadlines<Pending>>()

  constructor(
    timeout: number,
    expire: (entry: Pending, error: unknown) => void,
    timeoutError: (entry: Pending, ms: number) => TimeoutError,
  ) {
    this.#timeout = timeout
    this.#expire = expire
    this.#timeoutError = timeoutError
    this.#deadlines = new Deadlines(timeout, (entry) => expire(entry, timeoutError(entry, timeout)))
  }

  /** Starts the clock of a new command. */
  arm(entry: Pending, options: SendOptions | undefined): void {
    if (options === undefined || (options.timeout === undefined && options.signal === undefined)) {
      this.#armDefault(entry)
      return
    }
    const { signal, timeout } = options
    if (signal === undefined && typeof timeout === 'number' && timeout > 0 && timeout <= MAX_DELAY) {
      const queue = this.#queue(timeout)
      if (queue !== undefined) {
        queue.add(entry)
        return
      }
    }
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
    this.#deadlines.stop()
    for (const queue of this.#shared.values()) queue.stop()
  }

  /** The shared queue for `ms`, made on first use; `undefined` once `SHARED` exist. */
  #queue(ms: number): Deadlines<Pending> | undefined {
    let queue = this.#shared.get(ms)
    if (queue === undefined && this.#shared.size < SHARED) {
      queue = new Deadlines(ms, (entry) => this.#expire(entry, this.#timeoutError(entry, ms)))
      this.#shared.set(ms, queue)
    }
    return queue
  }

  #armDefault(entry: Pending): void {
    if (this.#timeout > 0) this.#deadlines.add(entry)
  }
}
