/**
 * `session()`: Express middleware that loads the request's session into `req.session` (the same
 * `Session` as everywhere in floodgate: typed get/set, `regenerate()`, `destroy()`) and commits
 * it once the handler has answered, before the headers leave, so the `Set-Cookie` goes out with
 * the response that made it. Writes are per field: two parallel requests that change different
 * fields keep both changes (express-session writes the whole session back and loses one).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { Session, SessionData } from '../session/session.ts'
import type { Sessions } from '../session/sessions.ts'
import { beforeHeaders } from './before-headers.ts'

/**
 * What sessions hold, for `req.session`'s types. Empty: declare your fields with
 * `declare module 'floodgate/express' { interface ExpressSessionData { user: string } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the application's declaration merging
export interface ExpressSessionData {}

/** `ExpressSessionData` as `Session` takes it: any fields while the application declares none. */
export type DeclaredData = keyof ExpressSessionData extends never
  ? SessionData
  : { [K in keyof ExpressSessionData]: ExpressSessionData[K] }

declare global {
  namespace Express {
    interface Request {
      /** The request's session, from floodgate/express `session()`. */
      session: Session<DeclaredData>
      /** The sessions it came from: `req.sessions.destroyAll(userId)` signs a user out everywhere. */
      sessions: Sessions<DeclaredData>
    }
  }
}

export interface SessionOptions<Data extends SessionData> {
  /** From `createSessions()`. */
  sessions: Sessions<Data>
  /**
   * Called when the store fails while saving; the response becomes a 503 unless it has been sent.
   * Default: one `console.error` line. A failed load goes to `next(error)`, as express-session does.
   */
  onError?: (error: unknown, req: Request) => void
}

const logError = (error: unknown): void => {
  console.error(`floodgate: the session could not be saved: ${String(error)}`)
}

/**
 * Gives every request its session.
 *
 * @example
 * const sessions = createSessions({ client, userKey: 'user' })
 * app.use(session({ sessions }))
 * app.post('/login', (req, res) => {
 *   req.session.regenerate() // a new id on every privilege change
 *   req.session.set('user', 'alice')
 *   res.json({ ok: true })
 * })
 */
export const session = <Data extends SessionData = DeclaredData>({
  sessions,
  onError = logError,
}: SessionOptions<Data>): RequestHandler => {
  if (!sessions || typeof sessions.load !== 'function') {
    throw new TypeError('session: sessions must come from createSessions()')
  }
  return function session(req: Request, res: Response, next: NextFunction) {
    const cookie = req.headers.cookie
    sessions.load({ headers: { get: () => cookie ?? null } }).then((loaded) => {
      req.session = loaded as unknown as Session<DeclaredData>
      req.sessions = sessions as unknown as Sessions<DeclaredData>
      beforeHeaders(
        res,
        async () => (await loaded.commit()).getSetCookie().map((value) => ['Set-Cookie', value] as const),
        (error, end) => {
          onError(error, req)
          end('Service Unavailable: the session store did not answer\n')
        },
      )
      next()
    }, next)
  }
}
