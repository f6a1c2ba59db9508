/**
 * `session`: a Fastify plugin that loads the request's session into `request.session` (the same
 * `Session` as everywhere in floodgate) in `onRequest`, and commits it in `onSend`, before the
 * headers leave, adding its `Set-Cookie`. Writes are per field, so parallel requests that change
 * different fields keep both (@fastify/session saves the whole session on every request by
 * default and loses one). Registered without encapsulation, as `fastify-plugin` would.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { Session, SessionData } from '../session/session.ts'
import type { Sessions } from '../session/sessions.ts'
import { skipOverride } from './plugin.ts'

/**
 * What sessions hold, for `request.session`'s types. Empty: declare your fields with
 * `declare module 'floodgate/fastify' { interface FastifySessionData { user: string } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the application's declaration merging
export interface FastifySessionData {}

/** `FastifySessionData` as `Session` takes it: any fields while the application declares none. */
export type DeclaredData = keyof FastifySessionData extends never
  ? SessionData
  : { [K in keyof FastifySessionData]: FastifySessionData[K] }

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's session, from floodgate/fastify's `session` plugin. */
    session: Session<DeclaredData>
    /** The sessions it came from: `request.sessions.destroyAll(userId)` signs a user out everywhere. */
    sessions: Sessions<DeclaredData>
  }
}

export interface SessionPluginOptions {
  /** From `createSessions()`. */
  sessions: Sessions<DeclaredData> | Sessions<SessionData>
}

/**
 * Gives every request of the registering scope its session.
 *
 * @example
 * await app.register(session, { sessions: createSessions({ client, userKey: 'user' }) })
 * app.post('/login', async (request) => {
 *   request.session.regenerate() // a new id on every privilege change
 *   request.session.set('user', 'alice')
 *   return { ok: true }
 * })
 */
export const session: FastifyPluginAsync<SessionPluginOptions> = skipOverride<SessionPluginOptions>(
  async function floodgateSession(fastify, { sessions }) {
    if (!sessions || typeof sessions.load !== 'function') {
      throw new TypeError('session: sessions must come from createSessions()')
    }
    const active = sessions as Sessions<DeclaredData>
    fastify.decorateRequest('session', null as unknown as Session<DeclaredData>)
    fastify.decorateRequest('sessions', null as unknown as Sessions<DeclaredData>)
    fastify.addHook('onRequest', async (request) => {
      const cookie = request.headers.cookie
      request.session = await active.load({ headers: { get: () => cookie ?? null } })
      request.sessions = active
    })
    fastify.addHook('onSend', async (request, reply, payload) => {
      // null when onRequest failed before loading (an error reply is being sent).
      if (!request.session) return payload
      const headers = await request.session.commit()
      for (const value of headers.getSetCookie()) reply.header('set-cookie', value)
      return payload
    })
  },
  'floodgate-session',
)
