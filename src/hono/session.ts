/**
 * `session()`: Hono middleware that loads the request's session before the handler
 * (`c.var.session`) and, after it, writes what changed and adds the `Set-Cookie` header. Cookie
 * sessions need CSRF protection for state-changing forms: mount `hono/csrf` in front of it.
 */
import type { Context, Env, MiddlewareHandler } from 'hono'
import type { Session, SessionData } from '../session/session.ts'
import type { Sessions } from '../session/sessions.ts'

/**
 * Adds `c.get('session')` and `c.get('sessions')` to an app's types:
 * `new Hono<SessionEnv<{ user: string }>>()`.
 */
export type SessionEnv<Data extends SessionData = SessionData> = {
  Variables: { session: Session<Data>; sessions: Sessions<Data> }
}

export interface SessionOptions<Data extends SessionData, E extends Env = Env> {
  /** From `createSessions()`, or a function of the request returning them (per-request client on Workers). */
  sessions: Sessions<Data> | ((c: Context<E>) => Sessions<Data> | Promise<Sessions<Data>>)
}

/**
 * Gives every request its session.
 *
 * @example
 * const sessions = createSessions<{ user: string }>({ client, userKey: 'user' })
 * const app = new Hono<SessionEnv<{ user: string }>>()
 * app.use(csrf(), session({ sessions }))
 * app.post('/login', async (c) => {
 *   c.var.session.regenerate() // a new id on every privilege change
 *   c.var.session.set('user', 'alice')
 *   return c.json({ ok: true })
 * })
 */
export const session = <Data extends SessionData, E extends Env = Env>({
  sessions,
}: SessionOptions<Data, E>): MiddlewareHandler<E & SessionEnv<Data>> => {
  if (!sessions || (typeof sessions !== 'function' && typeof sessions.load !== 'function')) {
    throw new TypeError(
      'session: sessions must come from createSessions(), or be a function of c returning them',
    )
  }
  return async function session(c, next) {
    const active = typeof sessions === 'function' ? await sessions(c as unknown as Context<E>) : sessions
    const loaded = await active.load(c.req.raw)
    c.set('sessions', active)
    c.set('session', loaded)
    await next()
    const headers = await loaded.commit()
    for (const value of headers.getSetCookie()) c.header('Set-Cookie', value, { append: true })
  }
}
