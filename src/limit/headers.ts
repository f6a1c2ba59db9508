/**
 * Response headers from a limiter result, framework-free (a plain object to spread into
 * `new Headers()`, `c.header()` or `res.setHeader()`):
 *
 * - `RateLimit-Policy` and `RateLimit` as in draft-ietf-httpapi-ratelimit-headers (draft-10): RFC
 *   9651 lists of items named by a string, `"10-per-10s";q=10;w=10` and `"10-per-10s";r=3;t=7`.
 *   Every configured limit goes into the policy list; `RateLimit` carries the binding limit only
 *   (the draft asks for the policy with the lowest remaining). `t` is delta-seconds, taken from
 *   the server's clock, so caller clock skew does not leak into it; on a denial it equals
 *   `Retry-After`, as the draft recommends.
 * - `Retry-After` (delay-seconds, RFC 9110 §10.2.3, rounded up, at least 1) on a denial.
 * - `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds) on request, for clients that
 *   still read the legacy names.
 *
 * When the backend did not answer (`reason` `'timeout'` or `'error'`), the remaining quota is
 * unknown: only the policy (and `Retry-After` if denied) is sent, never made-up numbers.
 */
import type { RateLimitResult } from './result.ts'

export interface RateLimitHeaderOptions {
  /** Also send `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`. Default false. */
  legacy?: boolean
}

const sfString = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000))

/**
 * The rate-limit response headers for a result.
 *
 * @example
 * const result = await limiter.limit(ip)
 * const headers = rateLimitHeaders(result)
 * if (!result.success) return new Response('Too many requests', { status: 429, headers })
 */
export const rateLimitHeaders = (
  result: RateLimitResult,
  options: RateLimitHeaderOptions = {},
): Record<string, string> => {
  const headers: Record<string, string> = {}
  headers['RateLimit-Policy'] = result.policies
    .map((p) => `${sfString(p.name)};q=${p.limit};w=${Math.max(1, seconds(p.window))}`)
    .join(', ')
  const known = result.reason === undefined || result.reason === 'cacheBlock'
  const retryAfter = Math.max(1, seconds(result.retryAfter))
  if (known) {
    const bound = result.policies.find((p) => p.name === result.policy)
    const t = result.success ? seconds(bound?.resetAfter ?? 0) : retryAfter
    headers.RateLimit = `${sfString(result.policy)};r=${result.remaining};t=${t}`
    if (options.legacy) {
      headers['X-RateLimit-Limit'] = String(result.limit)
      headers['X-RateLimit-Remaining'] = String(result.remaining)
      headers['X-RateLimit-Reset'] = String(seconds(result.reset))
    }
  }
  if (!result.success) headers['Retry-After'] = String(retryAfter)
  return headers
}
