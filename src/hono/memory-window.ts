/**
 * The in-process fixed window behind `rateLimit({ windowMs, limit })` when no `client` is given:
 * hono-rate-limiter's default is its MemoryStore, so a ported app keeps counting in process. This
 * is a few lines of its own, not the memory backend, so Worker bundles that never use the default
 * stay small. Windows are aligned to the clock, as floodgate's fixed window on Valkey; expired
 * entries are swept as the map grows, so memory follows the identifiers of the current window.
 */
import type { LimitOptions } from '../limit/limiter.ts'
import { type RateLimitResult, RESOLVED } from '../limit/result.ts'

export interface MemoryWindow {
  limit(identifier: string, options?: LimitOptions): Promise<RateLimitResult>
}

export const memoryWindow = (limit: number, windowMs: number, name: string): MemoryWindow => {
  const counts = new Map<string, { window: number; count: number }>()
  let sweepAt = 1024
  return {
    limit(identifier, options) {
      const now = Date.now()
      const cost = options?.cost ?? 1
      const window = Math.floor(now / windowMs)
      const end = (window + 1) * windowMs
      let entry = counts.get(identifier)
      if (entry === undefined || entry.window !== window) {
        entry = { window, count: 0 }
        counts.set(identifier, entry)
        if (counts.size >= sweepAt) {
          for (const [key, value] of counts) if (value.window !== window) counts.delete(key)
          sweepAt = Math.max(1024, counts.size * 2)
        }
      }
      const success = cost <= 0 || entry.count + cost <= limit
      if (success) entry.count = Math.max(0, entry.count + cost)
      const remaining = Math.max(0, limit - entry.count)
      const state = { name, limit, window: windowMs, success, remaining, reset: end, resetAfter: end - now }
      return Promise.resolve({
        success,
        limit,
        remaining,
        reset: end,
        retryAfter: success ? 0 : end - now,
        pending: RESOLVED,
        policy: name,
        policies: [state],
      })
    },
  }
}
