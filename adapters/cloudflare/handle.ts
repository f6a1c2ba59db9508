/**
 * Per-request Clients on Workers. `handle(app)` wraps a Hono app (or any `fetch(request, env,
 * ctx)` handler): it gives each request an ExecutionContext through which `requestClient(ctx)`
 * makes, at most once and only when asked, that request's Client; once the response is out and
 * every `waitUntil` promise has settled, it closes the Client inside `ctx.waitUntil`.
 */

import type { EdgeClientOptions } from '../../src/client/edge-client.ts'
import type { Client } from '../../src/client/types.ts'
import type { ExecutionContextLike, FetchApp } from '../../src/context/background.ts'
import { clientFromEnv, type WorkersEnv } from './client.ts'

interface Scope {
  readonly env: WorkersEnv
  readonly options: EdgeClientOptions
  readonly pending: Promise<unknown>[]
  client?: Client
}

const scopes = new WeakMap<object, Scope>()

const closeWhenDone = async (scope: Scope): Promise<void> => {
  // Work handed to waitUntil may itself use the client, and may hand in more work.
  for (let seen = 0; seen < scope.pending.length; ) {
    const batch = scope.pending.slice(seen)
    seen += batch.length
    await Promise.allSettled(batch)
  }
  await scope.client?.close()
}

/** A Workers module export: `export default handle(app)`. */
export interface WorkersHandler<E> {
  fetch(request: Request, env: E, ctx: ExecutionContextLike): Promise<Response>
}

/**
 * Wraps an app so that `requestClient(c.executionCtx)` works inside it.
 *
 * @example
 * const app = new Hono<{ Bindings: WorkersEnv }>()
 * app.use(rateLimit({ limiter: (c) => createLimiter({ client: requestClient(c.executionCtx), limits }) }))
 * export default handle(app)
 */
export const handle = <E extends WorkersEnv>(
  app: FetchApp<E>,
  options: EdgeClientOptions = {},
): WorkersHandler<E> => ({
  async fetch(request, env, ctx) {
    const scope: Scope = { env, options, pending: [] }
    const scoped: ExecutionContextLike & { exports?: unknown } = {
      waitUntil(promise) {
        scope.pending.push(promise)
        ctx.waitUntil(promise)
      },
      passThroughOnException: () => ctx.passThroughOnException(),
      props: ctx.props,
      exports: (ctx as { exports?: unknown }).exports,
    }
    scopes.set(scoped, scope)
    try {
      return await app.fetch(request, env, scoped)
    } finally {
      if (scope.client) ctx.waitUntil(closeWhenDone(scope))
    }
  },
})

/**
 * The Client of the request `ctx` belongs to, made on first use from the Worker's env.
 *
 * @example
 * app.get('/hits', async (c) => c.text(String(await requestClient(c.executionCtx).send(['INCR', 'hits']))))
 */
export const requestClient = (ctx: object): Client => {
  const scope = scopes.get(ctx)
  if (!scope) {
    throw new TypeError(
      'requestClient(ctx) needs the ExecutionContext that handle(app) passes: export default handle(app) from your Worker',
    )
  }
  scope.client ??= clientFromEnv(scope.env, scope.options)
  return scope.client
}
