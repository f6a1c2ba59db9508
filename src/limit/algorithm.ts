/**
 * What every limiter algorithm shares: the descriptor a factory such as `slidingWindow(10, '10 s')`
 * returns, the shape of one step of its state machine, and the checks on its parameters.
 *
 * A step is a pure function from (stored value, now, cost) to a decision and the value to store.
 * Each algorithm writes it twice, once in Lua for Valkey and once in TypeScript for the memory
 * backend, with the same integer arithmetic in the same order, so both give identical answers
 * (a differential property test holds them to it). State values are self-describing (they carry
 * the window index or timestamp they belong to), so a key's TTL only reclaims memory and is
 * never needed for correctness, even when a test passes an explicit `now`.
 */

import { formatDuration } from './duration.ts'

export type AlgorithmKind = 'fixedWindow' | 'slidingWindow' | 'tokenBucket' | 'gcra'

/**
 * The key under which an algorithm's descriptor carries its steps. The limit script is built from
 * the steps of the limits it is given, so a bundle carries only the algorithms its limits use (the
 * three a sliding-window Worker does not use were 3,478 of its bytes). NOTE: a symbol key, so
 * users never meet it as a field: `JSON.stringify`, `Object.keys` and `for...in` skip it, while
 * a spread or `Object.assign` copy of a descriptor keeps it (a non-enumerable field would not
 * survive one). Not exported from the package: only the factories set it, and `createLimiter`
 * refuses a descriptor without it, such as one read back from JSON.
 */
export const STEPS: unique symbol = Symbol('floodgate.steps')

/**
 * One algorithm's step, written twice: `lua` is the body of the limit script's
 * `step<code>(value, now, cost, a, b, c)` (see script.ts), `twin` the same step in TypeScript for
 * the memory backend.
 */
export interface AlgorithmSteps {
  readonly lua: string
  readonly twin: Step
}

/** One configured limit, as built by `fixedWindow`, `slidingWindow`, `tokenBucket` or `gcra`. */
export interface Algorithm {
  readonly kind: AlgorithmKind
  /** The number the limit script dispatches on (1 fixed, 2 sliding, 3 token bucket, 4 GCRA). */
  readonly code: 1 | 2 | 3 | 4
  /** The three numeric parameters the script receives for this limit. */
  readonly params: readonly [number, number, number]
  /** The key suffix under the identifier's hash tag, e.g. `sw:10000`. */
  readonly key: string
  /** The quota: how many unit-cost calls a fresh identifier gets at once. */
  readonly limit: number
  /** The window in ms over which `limit` applies (for token bucket and GCRA: the time to refill it). */
  readonly window: number
  /** The policy name used in `RateLimit-Policy` / `RateLimit` headers, e.g. `"10-per-10s"`. */
  readonly name: string
  /** Internal: the algorithm's steps, which the limit script is built from. */
  readonly [STEPS]: AlgorithmSteps
}

/** Options every algorithm factory accepts. */
export interface AlgorithmOptions {
  /** The policy name in the RateLimit headers. Default: `<limit>-per-<window>`, e.g. `10-per-10s`. */
  name?: string
}

/** The outcome of one step over one limit's state. */
export interface StepOutcome {
  /** The cost fits (always true for a cost <= 0: refunds are never refused). */
  ok: boolean
  /** Unit-cost calls that would still fit now, after this step. */
  remaining: number
  /** Epoch ms at which the state is back to a full quota if no further calls arrive. */
  reset: number
  /** Ms until this same cost would fit; 0 when it fits now. */
  retry: number
  /**
   * The state to store when the step is committed: the integers the Lua step prints with
   * `format('%d:%d')` (the memory backend keeps them unprinted, see `setIntegersPx`).
   */
  value: readonly number[]
  /** Its TTL in ms; 0 means the state equals a fresh one and the key can be deleted. */
  ttl: number
}

/** A stored state as a twin reads it: the integers, their text, or `null` when absent. */
export type StoredState = readonly number[] | string | null

export type Step = (
  value: StoredState,
  now: number,
  cost: number,
  a: number,
  b: number,
  c: number,
) => StepOutcome

// Every product the scripts form (limit × window, tokens × interval, burst × period) stays below
// 2^53, so doubles in Lua and in JavaScript hold it exactly.
const MAX_PRODUCT = 2 ** 50

/** Checks that `value` is a positive safe integer; throws a TypeError naming `what` otherwise. */
export const positiveInteger = (value: unknown, what: string): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw new TypeError(`${what} must be a positive whole number, received ${String(value)}`)
}

/** Rejects parameter combinations whose products would lose precision in a double. */
export const checkProduct = (a: number, b: number, what: string): void => {
  if (a * b > MAX_PRODUCT) {
    throw new TypeError(
      `${what} is too large: ${a} × ${b} exceeds 2^50; use a shorter window or a smaller limit`,
    )
  }
}

/**
 * Parses a stored state of `count` colon-separated integers (`"12:3"`); `null` when absent or not
 * in that form, which every step treats as a fresh state. Mirrors the Lua pattern
 * `^(%-?%d+):(%-?%d+)$` and Lua's `tonumber`; a hand-written scan, for a state that was written as
 * text (by a command, or restored). A state the memory backend kept as integers is taken as is.
 */
export const parseState = (value: StoredState, count: 2 | 3): readonly number[] | null => {
  if (value === null) return null
  if (typeof value !== 'string') return value.length === count ? value : null
  // Parsed into locals and returned as one literal: the state is read on every decision of the
  // memory backend, and a growing array would cost more than the parse.
  let x0 = 0
  let x1 = 0
  let x2 = 0
  let parsed = 0
  const end = value.length
  let i = 0
  while (i <= end) {
    const start = i
    if (value.charCodeAt(i) === 45) i++ // '-'
    const digits = i
    let n = 0
    while (i < end) {
      const d = value.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      n = n * 10 + d
      i++
    }
    if (i === digits) return null
    // Up to 15 digits the running sum is exact; beyond, round as strtod (and Lua) would.
    if (i - digits > 15) n = Number(value.slice(digits, i))
    if (value.charCodeAt(start) === 45) n = -n
    if (parsed === 0) x0 = n
    else if (parsed === 1) x1 = n
    else x2 = n
    parsed++
    if (i === end) break
    if (value.charCodeAt(i) !== 58 || parsed === count) return null // ':'
    i++
  }
  if (parsed !== count) return null
  return count === 2 ? [x0, x1] : [x0, x1, x2]
}

// RateLimit headers carry the name as an RFC 9651 sf-string: printable ASCII only.
const NAME = /^[\x20-\x7e]{1,64}$/

/**
 * The descriptor a factory returns, from its checked fields in `Algorithm`'s order: `name` is the
 * caller's `options.name`, checked, or by default `limit` calls per `window` ms (`10-per-10s`).
 * `steps` is the factory's own (see `STEPS`), passed in so that this module imports no algorithm.
 */
export const algorithm = (
  kind: AlgorithmKind,
  code: Algorithm['code'],
  params: Algorithm['params'],
  key: string,
  limit: number,
  window: number,
  name: string | undefined,
  steps: AlgorithmSteps,
): Algorithm => {
  if (name === undefined) name = `${limit}-per-${formatDuration(window)}`
  else if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`name must be 1 to 64 printable ASCII characters, received ${JSON.stringify(name)}`)
  }
  return { kind, code, params, key, limit, window, name, [STEPS]: steps }
}
