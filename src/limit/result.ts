/**
 * The answer of a limiter call, with the field names of `@upstash/ratelimit`'s response (so code
 * reading `success`, `limit`, `remaining`, `reset` and `pending` keeps working), plus `retryAfter`
 * and the per-limit detail the RateLimit headers need. Also the decoding of the limit script's
 * reply into that shape.
 */

import type { Reply } from '../client/types.ts'
import { ProtocolError } from '../errors.ts'
import type { Algorithm } from './algorithm.ts'

/** One configured limit's state after a call. */
export interface PolicyState {
  /** The policy name (`RateLimit-Policy`), e.g. `10-per-10s`. */
  readonly name: string
  /** Its quota and window (ms), as configured. */
  readonly limit: number
  readonly window: number
  /** Whether this limit admitted the cost. Undefined when the backend was not asked or did not answer. */
  readonly success?: boolean
  /** Unit-cost calls still available now. Undefined when the backend was not asked or did not answer. */
  readonly remaining?: number
  /** Epoch ms (server clock) at which this limit is back to its full quota. */
  readonly reset?: number
  /** Ms from the decision until `reset` (free of clock skew between server and caller). */
  readonly resetAfter?: number
}

export interface RateLimitResult {
  /** Whether the call is admitted. */
  readonly success: boolean
  /** The quota of the binding limit (see `policy`). */
  readonly limit: number
  /**
   * Unit-cost calls the binding limit still allows now. A denial can leave some (a call of cost 5
   * is refused with 2 remaining); 0 when blocked, and on a timeout or error, when it is unknown.
   */
  readonly remaining: number
  /**
   * Epoch ms (server clock) at which the binding limit is back to its full quota. On a denial,
   * `retryAfter` says when this call could pass; that can be earlier.
   */
  readonly reset: number
  /** Ms until this call (with this cost) could pass; 0 when admitted. */
  readonly retryAfter: number
  /**
   * Set only when the limits did not decide: `'cacheBlock'` (the in-process block cache knew the
   * identifier is blocked), `'timeout'` or `'error'` (then `success` follows `onTimeout`), or
   * `'denyList'` (`Ratelimit` with `enableProtection`: a value of the call is on the deny list).
   */
  readonly reason?: 'cacheBlock' | 'timeout' | 'error' | 'denyList'
  /** With `reason: 'denyList'`: the value found on the deny list (identifier, IP, user agent or country). */
  readonly deniedValue?: string
  /** Work still running after the answer; hand it to `waitUntil` on edge runtimes. Never rejects. */
  readonly pending: Promise<unknown>
  /**
   * The binding limit's policy name. With several limits, the binding one is, on a denial, the
   * denying limit with the longest wait; when admitted, the one with the fewest calls remaining
   * (the first in `limits` on a tie).
   */
  readonly policy: string
  /** Every configured limit's state, in the order of `limits`. */
  readonly policies: readonly PolicyState[]
  /** What went wrong, when `reason` is `'timeout'` or `'error'`. */
  readonly error?: unknown
}

export const RESOLVED: Promise<unknown> = Promise.resolve()

/** The decoded reply of the limit script. */
export interface Decision {
  readonly admitted: boolean
  readonly now: number
  /** Ms until a unit-cost call could pass (0 when one could now). */
  readonly unitWait: number
  /** Server-clock ms until which the identifier is blocked, 0 if it is not. */
  readonly blockedUntil: number
  readonly policies: PolicyState[]
  /** Index of the binding limit and its retry wait. */
  readonly binding: number
  readonly retry: number
}

const int = (value: Reply | undefined): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  const n = typeof value === 'string' ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n))
    throw new ProtocolError(`the limit script returned ${String(value)} where an integer belongs`)
  return n
}

/** Decodes the limit script's reply and picks the binding limit. */
export const decodeDecision = (reply: Reply, algorithms: readonly Algorithm[]): Decision => {
  if (!Array.isArray(reply) || reply.length !== 4 + 4 * algorithms.length) {
    throw new ProtocolError(`the limit script returned an unexpected reply: ${JSON.stringify(reply)}`)
  }
  const admitted = int(reply[0]) === 1
  const now = int(reply[1])
  const policies: PolicyState[] = []
  let binding = 0
  let bindingRetry = -1
  let bindingRemaining = Number.POSITIVE_INFINITY
  for (let i = 0; i < algorithms.length; i++) {
    const algorithm = algorithms[i]!
    const k = 4 + i * 4
    const success = int(reply[k]) === 1
    const remaining = int(reply[k + 1])
    const reset = int(reply[k + 2])
    const retry = int(reply[k + 3])
    policies.push({
      name: algorithm.name,
      limit: algorithm.limit,
      window: algorithm.window,
      success,
      remaining,
      reset,
      resetAfter: reset - now,
    })
    if (!success) {
      if (retry > bindingRetry) {
        binding = i
        bindingRetry = retry
      }
    } else if (bindingRetry < 0 && remaining < bindingRemaining) {
      binding = i
      bindingRemaining = remaining
    }
  }
  return {
    admitted,
    now,
    unitWait: int(reply[2]),
    blockedUntil: int(reply[3]),
    policies,
    binding,
    retry: Math.max(0, bindingRetry),
  }
}
