/**
 * Command timeouts without a timer per command. Commands on the default timeout share one deadline
 * queue (`../deadlines.ts`): they are added in issue order, so their deadlines are ordered too. A
 * call's own `{ timeout }` or `{ signal }` gets its own timer or listener.
 */
import { TimeoutError } from '../../errors.ts'
import { Deadlines } from '../deadlines.ts'
import type { SendOptions } from '../types.ts'
import type { Pending } from './pending.ts'

export class CommandTimeouts {
  readonly #timeout: number
  readonly #expire: (entry: Pending, error: unknown) => void
  readonly #timeoutError: (entry: Pending, ms: number) => TimeoutError
  readonly #deadlines: Deadlines<Pending>

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
  }

  #armDefault(entry: Pending): void {
    if (this.#timeout > 0) this.#deadlines.add(entry)
  }
}
