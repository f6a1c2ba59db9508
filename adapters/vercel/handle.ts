/**
 * Vercel's background work. Its runtime exposes a request context on a global symbol (what
 * `@vercel/functions`' `waitUntil` reads); `handle(app)` turns it into the ExecutionContext Hono
 * expects, since `hono/vercel`'s own `handle` passes none and `c.executionCtx` would throw.
 */
import type { ExecutionContextLike, FetchApp } from '../../src/context/background.ts'
import { waitUntil as runInBackground, vercelWaitUntil } from '../../src/context/wait-until.ts'

/**
 * Keeps `promise` running after the response on Vercel; elsewhere it runs detached. Never
 * throws; a failure is logged.
 *
 * @example
 * const { success, pending } = await limiter.limit(ip)
 * waitUntil(pending)
 */
export const waitUntil = (promise: Promise<unknown>): void => runInBackground(promise)

const context: ExecutionContextLike = {
  waitUntil: (promise) => {
    const platform = vercelWaitUntil()
    if (platform) platform(promise)
    else runInBackground(promise)
  },
  passThroughOnException: () => {},
  props: {},
}

/**
 * The edge function for a Hono app, with `c.executionCtx.waitUntil` wired to Vercel's.
 *
 * @example
 * export const config = { runtime: 'edge' }
 * export default handle(app)
 */
export const handle =
  (app: FetchApp<undefined>): ((request: Request) => Response | Promise<Response>) =>
  (request) =>
    app.fetch(request, undefined, context)
