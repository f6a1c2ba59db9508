/**
 * Hands background work to the platform. Workers pass an `ExecutionContext`; Vercel exposes its
 * request context on a well-known global symbol (what `@vercel/functions`' `waitUntil` reads);
 * elsewhere the promise runs detached, its failure reported instead of becoming an unhandled
 * rejection that would crash a Node process.
 */
import type { ExecutionContextLike } from './background.ts'

interface VercelRequestContext {
  get?: () => { waitUntil?: (promise: Promise<unknown>) => void } | undefined
}

const VERCEL_CONTEXT = Symbol.for('@vercel/request-context')

/** Vercel's `waitUntil` for the current request, when running on Vercel; otherwise undefined. */
export const vercelWaitUntil = (): ((promise: Promise<unknown>) => void) | undefined => {
  const context = (globalThis as { [VERCEL_CONTEXT]?: VercelRequestContext })[VERCEL_CONTEXT]
  const waitUntil = context?.get?.()?.waitUntil
  return typeof waitUntil === 'function' ? waitUntil : undefined
}

/**
 * Runs `promise` in the background: through `ctx.waitUntil` when there is a context, Vercel's
 * `waitUntil` on Vercel, or detached. Never throws and never leaves a rejection unhandled.
 *
 * @example
 * const { pending } = await limiter.limit(ip)
 * waitUntil(pending, ctx)
 */
export const waitUntil = (
  promise: Promise<unknown>,
  ctx?: Pick<ExecutionContextLike, 'waitUntil'>,
  onError: (error: unknown) => void = (error) => console.error('floodgate: background work failed:', error),
): void => {
  const safe = promise.then(
    () => undefined,
    (error: unknown) => onError(error),
  )
  if (ctx) ctx.waitUntil(safe)
  else vercelWaitUntil()?.(safe)
}
