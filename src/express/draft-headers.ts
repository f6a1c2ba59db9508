/**
 * The rate-limit response headers in the forms express-rate-limit sends, so clients of an app
 * that switches keep reading what they read: `X-RateLimit-*` (legacy), and the IETF drafts its
 * `standardHeaders` names — draft-6 (`RateLimit-Limit/-Remaining/-Reset`), draft-7 (one
 * `RateLimit: limit=, remaining=, reset=`) and draft-8 (named policies with a partition key) —
 * plus `'ietf'`, floodgate's own: the current draft's `RateLimit-Policy` and `RateLimit` from
 * `rateLimitHeaders()`, with every configured limit in the policy list.
 */
import { rateLimitHeaders } from '../limit/headers.ts'
import { partitionKey } from '../limit/partition-key.ts'
import type { RateLimitResult } from '../limit/result.ts'

/** express-rate-limit's `standardHeaders` values (`true` is draft-6), plus floodgate's `'ietf'`. */
export type StandardHeaders = boolean | 'draft-6' | 'draft-7' | 'draft-8' | 'ietf'

export const DRAFTS: readonly StandardHeaders[] = [true, false, 'draft-6', 'draft-7', 'draft-8', 'ietf']

export interface HeaderInput {
  readonly result: RateLimitResult
  /** Ms until the binding limit's window resets. */
  readonly resetAfter: number
  /** The binding limit's window in ms. */
  readonly window: number
  /** draft-8: the policy's name and the request's key (hashed into the partition key). */
  readonly name: string
  readonly key: string
}

const up = (ms: number) => Math.max(0, Math.ceil(ms / 1000))

/**
 * The headers for one decision, as `[name, value]` pairs (draft-8 may repeat a name).
 *
 * @example
 * for (const [name, value] of await draftHeaders('draft-7', false, input)) res.append(name, value)
 */
export const draftHeaders = async (
  standard: StandardHeaders,
  legacy: boolean,
  { result, resetAfter, window, name, key }: HeaderInput,
): Promise<[string, string][]> => {
  const out: [string, string][] = []
  const known = result.reason === undefined || result.reason === 'cacheBlock'
  const { limit, remaining } = result
  const reset = up(resetAfter)
  const w = up(window)
  if (legacy && known) {
    out.push(['X-RateLimit-Limit', String(limit)], ['X-RateLimit-Remaining', String(remaining)])
    out.push(['X-RateLimit-Reset', String(up(Date.now() + resetAfter))])
  }
  if (standard === true || standard === 'draft-6') {
    out.push(['RateLimit-Policy', `${limit};w=${w}`])
    if (known) {
      out.push(['RateLimit-Limit', String(limit)], ['RateLimit-Remaining', String(remaining)])
      out.push(['RateLimit-Reset', String(reset)])
    }
  } else if (standard === 'draft-7') {
    out.push(['RateLimit-Policy', `${limit};w=${w}`])
    if (known) out.push(['RateLimit', `limit=${limit}, remaining=${remaining}, reset=${reset}`])
  } else if (standard === 'draft-8') {
    if (known) out.push(['RateLimit', `"${name}"; r=${remaining}; t=${reset}`])
    out.push(['RateLimit-Policy', `"${name}"; q=${limit}; w=${w}; pk=:${await partitionKey(key)}:`])
  } else if (standard === 'ietf') {
    for (const [header, value] of Object.entries(rateLimitHeaders(result))) {
      if (header !== 'Retry-After') out.push([header, value])
    }
  }
  if (!result.success && (legacy || standard !== false)) {
    out.push(['Retry-After', String(Math.max(1, up(result.retryAfter)))])
  }
  return out
}

/** express-rate-limit's default draft-8 policy name: `100-in-1min`, `5-in-15min`, `1000-in-1day`. */
export const policyName = (limit: number, window: number): string => {
  const s = window / 1000
  if (s < 60) return `${limit}-in-${s}sec`
  if (s < 3600) return `${limit}-in-${s / 60}min`
  const h = s / 3600
  if (h < 24) return `${limit}-in-${h}hr${h > 1 ? 's' : ''}`
  const d = h / 24
  return `${limit}-in-${d}day${d > 1 ? 's' : ''}`
}
