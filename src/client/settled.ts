/**
 * A promise that carries its value where a caller can read it at once. A client that answers
 * in process (the memory backend) returns its replies this way; a caller on a hot path (the
 * limiter) then skips the deadline and the turn of the event loop an `await` costs, without
 * asking which transport it was handed. Any other promise reads as `NOT_SETTLED`.
 */
const VALUE: unique symbol = Symbol('settled value')

type Carrying<T> = Promise<T> & { [VALUE]?: T }

/** What `settledValue` gives for a promise that does not carry its value. */
export const NOT_SETTLED: unique symbol = Symbol('not settled')

/**
 * A promise resolved with `value` (never `undefined`), carrying it.
 *
 * @example
 * eval: (script, keys, args) => settled(runTwin(script, keys, args))
 */
export const settled = <T>(value: T): Promise<T> => {
  const promise = Promise.resolve(value) as Carrying<T>
  promise[VALUE] = value
  return promise
}

/**
 * The value `promise` carries, or `NOT_SETTLED`.
 *
 * @example
 * const value = settledValue(call)
 * if (value !== NOT_SETTLED) return decide(value)
 */
export const settledValue = <T>(promise: Promise<T>): T | typeof NOT_SETTLED => {
  // One property read: a carried value is never undefined (a reply is a string, number, null or array).
  const value = (promise as Carrying<T>)[VALUE]
  return value === undefined ? NOT_SETTLED : value
}
