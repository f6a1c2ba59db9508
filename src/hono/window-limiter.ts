/**
 * The limiter behind hono-rate-limiter's form of `rateLimit()` (`windowMs` + `limit`, no
 * `limiter`): a fixed window of `limit` calls per `windowMs` on the given client, by default
 * floodgate's in-process memory backend (hono-rate-limiter's default is its MemoryStore). A
 * `limit` that is a function of the request gets one limiter per distinct value, built once.
 */
import type { Context, Env } from 'hono'
import { createMemoryClient } from '../client/memory/client.ts'
import type { Client } from '../client/types.ts'
import { fixedWindow } from '../limit/fixed-window.ts'
import { createLimiter, type Limiter } from '../limit/limiter.ts'

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
}: WindowLimiterOptions<E>): ((c: Context<E>) => Maybe<Limiter>) => {
  if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    throw new TypeError(
      `rateLimit: windowMs must be a positive whole number of ms, received ${String(windowMs)}`,
    )
  }
  const backend = client ?? createMemoryClient()
  const limiters = new Map<number, Limiter>()
  const forLimit = (n: number): Limiter => {
    let limiter = limiters.get(n)
    if (limiter === undefined) {
      // Same prefix and window, so the same keys: a caller whose limit changes keeps its count.
      limiter = createLimiter({ client: backend, limits: fixedWindow(n, windowMs), prefix })
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
