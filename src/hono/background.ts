/**
 * `c.executionCtx` throws on runtimes that passed none (Node, Deno, `hono/vercel`'s handle), so
 * background work goes through this guard: the context's `waitUntil` when there is one, Vercel's
 * request context next, otherwise the promise runs detached with its failure reported.
 */
import type { Context } from 'hono'
import type { ExecutionContextLike } from '../context/background.ts'
import { waitUntil } from '../context/wait-until.ts'

/** The request's ExecutionContext, or undefined where the runtime passed none. */
export const executionContext = (c: Context): ExecutionContextLike | undefined => {
  try {
    return c.executionCtx
  } catch {
    return undefined
  }
}

/**
 * Keeps `promise` running after the response: `c.executionCtx.waitUntil` where it exists.
 *
 * @example
 * const { pending } = await limiter.limit(key)
 * defer(c, pending)
 */
export const defer = (c: Context, promise: Promise<unknown>): void => waitUntil(promise, executionContext(c))
