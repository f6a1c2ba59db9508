/**
 * The limiter behind hono-rate-limiter's form of `rateLimit()` (`windowMs` + `limit`, no
 * `limiter`): a fixed window of `limit` calls per `windowMs` on the given client, by default
 * counted in process (memory-window.ts; hono-rate-limiter's default is its MemoryStore). A
 * `limit` that is a function of the request gets one limiter per distinct value, built once.
 */
import type { Context, Env } from 'hono'
import type { Client } from '../client/types.ts'
import { formatDuration } from '../limit/duration.ts'
import { fixedWindow } from '../limit/fixed-window.ts'
import { createLimiter } from '../limit/limiter.ts'
import { type MemoryWindow, memoryWindow } from './memory-window.ts'

type Maybe<T> = T | Promise<T>

export interface WindowLimiterOptions<E extends Env> {
  windowMs?: number
  limit?: number | ((c: Context<E>) => Maybe<number>)
  client?: Client
  prefix?: string
}

export const windowLimiter = <E extends Env>({
  windowMs = 60_000,
  limit = 5,
  client,
  prefix = 'hrl',
}: WindowLimiterOptions<E>): ((c: Context<E>) => Maybe<MemoryWindow>) => {
  if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    throw new TypeError(
      `rateLimit: windowMs must be a positive whole number of ms, received ${String(windowMs)}`,
    )
  }
  const limiters = new Map<number, MemoryWindow>()
  const forLimit = (n: number): MemoryWindow => {
    let limiter = limiters.get(n)
    if (limiter === undefined) {
      // Same prefix and window, so the same keys: a caller whose limit changes keeps its count.
      limiter = client
        ? createLimiter({ client, limits: fixedWindow(n, windowMs), prefix })
        : memoryWindow(n, windowMs, `${n}-per-${formatDuration(windowMs)}`)
      limiters.set(n, limiter)
    }
    return limiter
  }
  if (typeof limit === 'number') {
    const only = forLimit(limit)
    return () => only
  }
  return async (c) => forLimit(await limit(c))
}
