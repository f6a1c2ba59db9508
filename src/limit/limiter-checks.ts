/**
 * The limiter's argument checks: misuse by the caller (a bad identifier, cost, `now` or option)
 * throws a TypeError that says what is wrong and how to fix it.
 */
import { type Algorithm, STEPS } from './algorithm.ts'
import type { LimiterOptions } from './limiter-options.ts'
import { MAX_LIMITS } from './script.ts'

export const checkIdentifier = (identifier: unknown): string => {
  if (typeof identifier === 'string' && identifier.length > 0) return identifier
  throw new TypeError(`identifier must be a non-empty string, received ${JSON.stringify(identifier)}`)
}

export const checkCost = (cost: unknown): number => {
  if (typeof cost === 'number' && Number.isSafeInteger(cost)) return cost
  throw new TypeError(`cost must be a whole number (negative to refund), received ${String(cost)}`)
}

export const checkNow = (now: unknown): string => {
  if (now === undefined) return ''
  if (typeof now === 'number' && Number.isSafeInteger(now) && now >= 0) return String(now)
  throw new TypeError(`now must be epoch milliseconds (a whole number), received ${String(now)}`)
}

export const validateOptions = (options: LimiterOptions): Algorithm[] => {
  if (typeof options?.client?.eval !== 'function') {
    throw new TypeError(
      'createLimiter: client must be a floodgate Client (createTcpClient, createHttpClient, ...)',
    )
  }
  const limits = Array.isArray(options.limits) ? [...options.limits] : [options.limits as Algorithm]
  // The factories' descriptors carry the steps the script is built from; a copy read back from
  // JSON, or an object written by hand, does not.
  if (limits.length === 0 || limits.some((l) => l?.[STEPS] === undefined)) {
    throw new TypeError(
      'createLimiter: limits must be one or more of fixedWindow(), slidingWindow(), tokenBucket(), gcra()',
    )
  }
  if (limits.length > MAX_LIMITS) {
    throw new TypeError(
      `createLimiter: at most ${MAX_LIMITS} limits are checked together, received ${limits.length}; split them over two limiters`,
    )
  }
  const keys = new Set(limits.map((l) => l.key))
  if (keys.size !== limits.length) {
    throw new TypeError(
      'createLimiter: two limits of the same algorithm share a window; give each a different one',
    )
  }
  const prefix = options.prefix ?? 'floodgate'
  if (typeof prefix !== 'string' || prefix.length === 0 || /[{}]/.test(prefix)) {
    throw new TypeError(
      `createLimiter: prefix must be a non-empty string without { or }, received ${JSON.stringify(prefix)}`,
    )
  }
  const timeout = options.timeout ?? 1000
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new TypeError(`createLimiter: timeout must be a positive number of ms, received ${String(timeout)}`)
  }
  if (options.onTimeout !== undefined && options.onTimeout !== 'allow' && options.onTimeout !== 'deny') {
    throw new TypeError(
      `createLimiter: onTimeout must be 'allow' or 'deny', received ${String(options.onTimeout)}`,
    )
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new TypeError(`createLimiter: onError must be a function, received ${typeof options.onError}`)
  }
  return limits
}
