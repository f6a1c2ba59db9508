/**
 * The example app every runtime serves (examples/cloudflare, vercel-edge, deno, node): a login
 * limited to 5 attempts per 15 minutes per IP and per username, a session after login, an API
 * limited to 100 requests a minute per user, logout and sign-out-everywhere, and a slow report
 * whose response is cached (`GET /report`). Only how the Client
 * is made differs per runtime, so each entry passes a `client(c)` function.
 */
import {
  type Cache,
  type Client,
  createCache,
  createLimiter,
  createSessions,
  type Limiter,
  type Sessions,
  slidingWindow,
} from 'floodgate'
import {
  clientIp,
  ipKey,
  type RateLimitEnv,
  rateLimit,
  responseCache,
  type SessionEnv,
  session,
  type TrustProxy,
} from 'floodgate/hono'
import { type Context, Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { checkPassword } from './users.ts'

type Data = { user: string; since: number }
export type AppEnv = SessionEnv<Data> & RateLimitEnv

export interface ExampleOptions {
  /** The Client for this request: one per process on Node, Deno and Vercel; one per request on Workers. */
  client: (c: Context) => Client
  /** Reverse proxies in front of the app whose X-Forwarded-For to trust (default none). */
  trustProxy?: TrustProxy
}

interface Backend {
  loginPerIp: Limiter
  loginPerUser: Limiter
  api: Limiter
  sessions: Sessions<Data>
  cache: Cache
}

const LOGIN_WINDOW = '15 m'

/**
 * Counts login decisions in the background, after the response: the limiter's `pending` work
 * plus one write, handed to `waitUntil` by `rateLimit()`. The short wait stands in for batching
 * (as analytics pipelines do) and is what lets the runtime suites tell background work that
 * survived the response from work that merely happened to finish before it.
 */
const audited = (limiter: Limiter, client: Client, name: string): Limiter => ({
  ...limiter,
  async limit(identifier, options) {
    const result = await limiter.limit(identifier, options)
    const record = new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
      client.send(['INCR', `example:audit:${name}`]),
    )
    return { ...result, pending: Promise.all([result.pending, record]) }
  },
})

// Logins fail closed: when Valkey does not answer in time, refuse rather than let guesses through.
// The API fails open (the limiter's default): an outage should not take the API down with it.
// "In time" is 2 s: a Worker's path to the bridge can cross the internet.
const TIMEOUT = 2000

const backend = (client: Client): Backend => ({
  loginPerIp: createLimiter({
    client,
    onTimeout: 'deny',
    timeout: TIMEOUT,
    prefix: 'example:login-ip',
    limits: slidingWindow(5, LOGIN_WINDOW, { name: 'login-ip' }),
  }),
  loginPerUser: audited(
    createLimiter({
      client,
      onTimeout: 'deny',
      timeout: TIMEOUT,
      prefix: 'example:login-user',
      limits: slidingWindow(5, LOGIN_WINDOW, { name: 'login-user' }),
    }),
    client,
    'login',
  ),
  api: createLimiter({
    client,
    timeout: TIMEOUT,
    prefix: 'example:api',
    limits: slidingWindow(100, '1 m', { name: 'api' }),
  }),
  sessions: createSessions<Data>({ client, userKey: 'user', idleTimeout: 30 * 60 }),
  cache: createCache({ client, prefix: 'example:cache', timeout: TIMEOUT }),
})

const credentials = async (c: Context): Promise<{ username: string; password: string } | undefined> => {
  const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined
  const { username, password } = body ?? {}
  return typeof username === 'string' && typeof password === 'string' && username.length <= 64
    ? { username: username.toLowerCase(), password }
    : undefined
}

/**
 * Builds the app.
 *
 * @example
 * const client = createClient('memory:')
 * const app = createApp({ client: () => client })
 */
export const createApp = ({ client, trustProxy = false }: ExampleOptions): Hono<AppEnv> => {
  const backends = new WeakMap<Client, Backend>()
  const use = (c: Context): Backend => {
    const active = client(c)
    const found = backends.get(active) ?? backend(active)
    backends.set(active, found)
    return found
  }

  const app = new Hono<AppEnv>()
  // Cookie sessions need CSRF protection: hono/csrf refuses cross-site form posts.
  app.use(csrf())
  app.use(session({ sessions: (c) => use(c).sessions }))

  app.get('/', (c) =>
    c.text(
      'floodgate example: POST /login {"username","password"}, GET /me, GET /api/data, POST /logout, POST /logout-everywhere, GET /report\n',
    ),
  )

  app.post(
    '/login',
    rateLimit({
      limiter: (c) => use(c).loginPerIp,
      key: (c) => `ip:${ipKey(clientIp(c, { trustProxy }) ?? 'unknown')}`,
    }),
    rateLimit({ limiter: (c) => use(c).loginPerUser, key: async (c) => (await credentials(c))?.username }),
    async (c) => {
      const given = await credentials(c)
      if (!given) return c.json({ error: 'send JSON: {"username": "...", "password": "..."}' }, 400)
      if (!(await checkPassword(given.username, given.password))) {
        return c.json({ error: 'wrong username or password' }, 401)
      }
      const s = c.var.session
      s.regenerate() // a new session id at login: no session fixation
      s.set('user', given.username)
      s.set('since', Date.now())
      return c.json({ user: given.username })
    },
  )

  app.get('/me', (c) => {
    const user = c.var.session.get('user')
    return user ? c.json({ user, since: c.var.session.get('since') }) : c.json({ error: 'log in first' }, 401)
  })

  app.get(
    '/api/data',
    async (c, next) => (c.var.session.get('user') ? next() : c.json({ error: 'log in first' }, 401)),
    rateLimit<AppEnv>({ limiter: (c) => use(c).api, key: (c) => `user:${c.var.session.get('user')}` }),
    (c) => c.json({ user: c.var.session.get('user'), remaining: c.var.rateLimit.remaining }),
  )

  // A slow computation behind a shared response cache: the first request takes 300 ms, the next
  // ones for 10 s are hits (Cache-Status, ETag, 304), then stale for a minute while one refresh runs.
  app.get('/report', responseCache({ cache: (c) => use(c).cache }), async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 300))
    c.header('Cache-Control', 'public, max-age=10, stale-while-revalidate=60')
    return c.json({ report: 'daily totals', computedAt: new Date().toISOString() })
  })

  app.post('/logout', (c) => {
    c.var.session.destroy()
    return c.json({ ok: true })
  })

  app.post('/logout-everywhere', async (c) => {
    const user = c.var.session.get('user')
    if (!user) return c.json({ error: 'log in first' }, 401)
    c.var.session.destroy()
    return c.json({ sessions: await c.var.sessions.destroyAll(user) })
  })

  return app
}
