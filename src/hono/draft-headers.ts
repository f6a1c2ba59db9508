/**
 * The rate-limit header drafts hono-rate-limiter and express-rate-limit send, from a floodgate
 * result, so an app ported from them keeps the headers its clients read:
 *
 * - `draft-6` (draft-ietf-httpapi-ratelimit-headers-06): `RateLimit-Policy: 10;w=60`,
 *   `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds).
 * - `draft-7`: `RateLimit: limit=10, remaining=3, reset=42` and `RateLimit-Policy: 10;w=60`.
 * - `draft-8`: `RateLimit: "<name>"; r=3; t=42` and `RateLimit-Policy: "<name>"; q=10; w=60;
 *   pk=:<partition key>:`, the partition key as express-rate-limit forms it (base64 of the first
 *   12 hex digits of the SHA-256 of the identifier).
 *
 * Reset seconds come from the server's clock (the binding limit's `resetAfter`), so caller clock
 * skew never leaks in. `Retry-After` on a denial is the wait until this call could pass.
 */
import { partitionKey } from '../limit/partition-key.ts'
import type { RateLimitResult } from '../limit/result.ts'

export type HeaderDraft = 'draft-6' | 'draft-7' | 'draft-8'

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000))

/**
 * The headers of `draft` for `result` (decided for `identifier`).
 *
 * @example
 * for (const [name, value] of await draftHeaders(result, 'draft-7', ip)) c.header(name, value)
 */
export const draftHeaders = async (
  result: RateLimitResult,
  draft: HeaderDraft,
  identifier: string,
): Promise<[string, string][]> => {
  const bound = result.policies.find((p) => p.name === result.policy) ?? result.policies[0]
  const window = Math.max(1, seconds(bound?.window ?? 0))
  const reset = result.success ? seconds(bound?.resetAfter ?? bound?.window ?? 0) : seconds(result.retryAfter)
  const headers: [string, string][] = []
  if (draft === 'draft-6') {
    headers.push(
      ['RateLimit-Policy', `${result.limit};w=${window}`],
      ['RateLimit-Limit', String(result.limit)],
      ['RateLimit-Remaining', String(result.remaining)],
      ['RateLimit-Reset', String(reset)],
    )
  } else if (draft === 'draft-7') {
    headers.push(
      ['RateLimit-Policy', `${result.limit};w=${window}`],
      ['RateLimit', `limit=${result.limit}, remaining=${result.remaining}, reset=${reset}`],
    )
  } else {
    const name = `"${result.policy.replace(/[\\"]/g, (c) => `\\${c}`)}"`
    headers.push(
      ['RateLimit', `${name}; r=${result.remaining}; t=${reset}`],
      ['RateLimit-Policy', `${name}; q=${result.limit}; w=${window}; pk=:${await partitionKey(identifier)}:`],
    )
  }
  if (!result.success) headers.push(['Retry-After', String(Math.max(1, seconds(result.retryAfter)))])
  return headers
}
