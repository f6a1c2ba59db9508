/**
 * Work that should finish after the response is sent: a limiter's `pending` promise, closing a
 * per-request connection. Workers and Vercel hand it to the platform's `waitUntil`; Node and Deno
 * have none, so `createBackground()` gives them one that tracks the promises and lets a server
 * wait for them before it exits (`drain()` on SIGTERM).
 */

/** The `ExecutionContext` shape Workers and Hono's `app.fetch(request, env, ctx)` use. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
  props: unknown
}

/** A `waitUntil` for runtimes without one, with a way to wait for everything handed to it. */
export interface Background extends ExecutionContextLike {
  /** How many promises are still running. */
  readonly size: number
  /** Resolves once every promise handed in so far (and any handed in meanwhile) has settled. */
  drain(): Promise<void>
}

/**
 * Creates a background-work tracker, usable as Hono's third `app.fetch` argument so that
 * `c.executionCtx.waitUntil` works on Node and Deno too. A rejected promise is reported to
 * `onError` (default: `console.error`) and never becomes an unhandled rejection.
 *
 * @example
 * const background = createBackground()
 * serve({ fetch: (request, env) => app.fetch(request, env, background) })
 * process.once('SIGTERM', () => background.drain().then(() => process.exit(0)))
 */
export const createBackground = ({
  onError = (error: unknown) => console.error('floodgate: background work failed:', error),
}: {
  onError?: (error: unknown) => void
} = {}): Background => {
  const pending = new Set<Promise<unknown>>()
  return {
    props: {},
    get size() {
      return pending.size
    },
    waitUntil(promise) {
      const tracked = Promise.resolve(promise).then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      pending.add(tracked)
      void tracked.finally(() => pending.delete(tracked))
    },
    passThroughOnException() {},
    async drain() {
      while (pending.size > 0) await Promise.all(pending)
    },
  }
}

/** Anything with Hono's `app.fetch(request, env, executionCtx)` signature. */
export interface FetchApp<Env = unknown> {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Response | Promise<Response>
}

/**
 * Binds an app to a background tracker: the returned handler passes `ctx` as the third
 * argument of `app.fetch`, so `c.executionCtx.waitUntil` works where the runtime has no context.
 *
 * @example
 * const background = createBackground()
 * Deno.serve(withContext(app, background)) // Deno: env = the handler info (remoteAddr)
 */
export const withContext =
  <Env>(app: FetchApp<Env>, ctx: ExecutionContextLike) =>
  (request: Request, env: Env): Response | Promise<Response> =>
    app.fetch(request, env, ctx)
