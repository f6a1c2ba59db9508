/**
 * The example app (the same as examples/shared/app.ts serves on Hono) on Express with
 * floodgate/express: a login limited to 5 attempts per 15 minutes per IP and per username, a
 * session after login, an API limited to 100 requests a minute per user, logout and
 * sign-out-everywhere.
 */
import express, { type NextFunction, type Request, type Response } from 'express'
import { type Client, createLimiter, createSessions, slidingWindow } from 'floodgate'
import { rateLimit, session } from 'floodgate/express'
import { checkPassword } from '../shared/users.ts'

export interface ExampleOptions {
  client: Client
  /** Reverse proxies in front of the app whose X-Forwarded-For to trust (Express's `trust proxy`). */
  trustProxy?: number
}

const LOGIN_WINDOW = '15 m'
// Logins fail closed (refuse rather than let guesses through while Valkey is unreachable); the API
// fails open.
const TIMEOUT = 2000

const credentials = (req: Request): { username: string; password: string } | undefined => {
  const { username, password } = (req.body ?? {}) as Record<string, unknown>
  return typeof username === 'string' && typeof password === 'string' && username.length <= 64
    ? { username: username.toLowerCase(), password }
    : undefined
}

/**
 * Cookie sessions need CSRF protection: a cross-site form can POST `application/x-www-form-urlencoded`
 * but not `application/json` (that needs a CORS preflight), so state changes take JSON only.
 */
const jsonOnly = (req: Request, res: Response, next: NextFunction) => {
  if (req.method !== 'GET' && req.method !== 'HEAD' && !req.is('application/json')) {
    return void res.status(415).json({ error: 'send JSON (Content-Type: application/json)' })
  }
  next()
}

const signedIn = (req: Request, res: Response, next: NextFunction) => {
  if (!req.session.get('user')) return void res.status(401).json({ error: 'log in first' })
  next()
}

/**
 * @example
 * const app = createApp({ client: createClient('memory:') })
 * app.listen(3000)
 */
export const createApp = ({ client, trustProxy = 0 }: ExampleOptions): express.Express => {
  const limiter = (prefix: string, limit: number, window: '15 m' | '1 m', onTimeout: 'allow' | 'deny') =>
    createLimiter({
      client,
      prefix,
      timeout: TIMEOUT,
      onTimeout,
      limits: slidingWindow(limit, window, { name: prefix }),
    })
  const sessions = createSessions({ client, userKey: 'user', idleTimeout: 30 * 60 })

  const app = express()
  app.set('trust proxy', trustProxy)
  app.use(jsonOnly, express.json({ limit: '4kb' }), session({ sessions }))

  app.get('/', (_req, res) => {
    res
      .type('text')
      .send(
        'floodgate example (Express): POST /login {"username","password"}, GET /me, GET /api/data, POST /logout, POST /logout-everywhere\n',
      )
  })

  app.post(
    '/login',
    // Per client IP (req.ip follows `trust proxy`), then per username.
    rateLimit({
      limiter: limiter('login-ip', 5, LOGIN_WINDOW, 'deny'),
      standardHeaders: 'ietf',
      legacyHeaders: false,
    }),
    rateLimit({
      limiter: limiter('login-user', 5, LOGIN_WINDOW, 'deny'),
      standardHeaders: 'ietf',
      legacyHeaders: false,
      skip: (req) => credentials(req) === undefined,
      keyGenerator: (req) => `user:${credentials(req)!.username}`,
    }),
    async (req, res) => {
      const given = credentials(req)
      if (!given)
        return void res.status(400).json({ error: 'send JSON: {"username": "...", "password": "..."}' })
      if (!(await checkPassword(given.username, given.password))) {
        return void res.status(401).json({ error: 'wrong username or password' })
      }
      req.session.regenerate() // a new session id at login: no session fixation
      req.session.set('user', given.username)
      req.session.set('since', Date.now())
      res.json({ user: given.username })
    },
  )

  app.get('/me', signedIn, (req, res) => {
    res.json({ user: req.session.get('user'), since: req.session.get('since') })
  })

  app.get(
    '/api/data',
    signedIn,
    rateLimit({
      limiter: limiter('api', 100, '1 m', 'allow'),
      standardHeaders: 'ietf',
      legacyHeaders: false,
      keyGenerator: (req) => `user:${req.session.get('user')}`,
    }),
    (req, res) => {
      const { remaining } = (req as unknown as { rateLimit: { remaining: number } }).rateLimit
      res.json({ user: req.session.get('user'), remaining })
    },
  )

  app.post('/logout', (req, res) => {
    req.session.destroy()
    res.json({ ok: true })
  })

  app.post('/logout-everywhere', signedIn, async (req, res) => {
    const user = req.session.get('user') as string
    req.session.destroy()
    res.json({ sessions: await req.sessions.destroyAll(user) })
  })

  return app
}
