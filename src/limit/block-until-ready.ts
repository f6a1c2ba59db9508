/**
 * `blockUntilReady` for the Upstash-compatible classes: calls `limit` until it admits or `timeout`
 * ms have passed, sleeping exactly the server-clocked `retryAfter` between tries instead of
 * reading the local clock against `reset`.
 */
import type { RateLimitResult } from './result.ts'

/**
 * @example
 * const result = await untilReady(() => limiter.limit('user:1'), 5_000)
 */
export const untilReady = async (
  limit: () => Promise<RateLimitResult>,
  timeout: number,
): Promise<RateLimitResult> => {
  if (!(typeof timeout === 'number' && timeout > 0)) {
    throw new TypeError(`timeout must be a positive number of ms, received ${String(timeout)}`)
  }
  const deadline = Date.now() + timeout
  for (;;) {
    const result = await limit()
    const wait = Math.max(1, result.retryAfter)
    // A deny-list refusal does not pass by waiting.
    if (result.success || result.reason === 'denyList' || Date.now() + wait > deadline) return result
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}
