/**
 * The limiter's backend timeout: every decision gets the same one, so the calls share one
 * deadline queue (`client/deadlines.ts`) instead of a `setTimeout` + `Promise.race` each.
 */
import { Deadlines } from '../client/deadlines.ts'
import { TimeoutError } from '../errors.ts'

interface Guarded {
  deadline: number
  done: boolean
  readonly reject: (error: unknown) => void
}

/** A function that passes `call` through, or rejects with a `TimeoutError` after `ms`. */
export type Guard = <T>(call: Promise<T>) => Promise<T>

/**
 * Creates the guard for a timeout of `ms`.
 *
 * @example
 * const guard = timeoutGuard(1000)
 * const reply = await guard(client.eval(script, keys, args))
 */
export const timeoutGuard = (ms: number): Guard => {
  const deadlines = new Deadlines<Guarded>(ms, (entry) => {
    entry.done = true
    entry.reject(new TimeoutError(`the limiter backend did not answer within ${ms} ms`))
  })
  return <T>(call: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const entry: Guarded = { deadline: 0, done: false, reject }
      deadlines.add(entry)
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
