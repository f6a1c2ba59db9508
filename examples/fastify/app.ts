/**
 * The example app (the same as examples/shared/app.ts serves on Hono) on Fastify with
 * floodgate/fastify: a login limited to 5 attempts per 15 minutes per IP and per username, a
 * session after login, an API limited to 100 requests a minute per user, logout and
 * sign-out-everywhere.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { type Client, createLimiter, createSessions, slidingWindow } from 'floodgate'
import { rateLimitHook, session } from 'floodgate/fastify'
import { checkPassword } from '../shared/users.ts'

export interface ExampleOptions {
  client: Client
  /** Reverse proxies in front of the app whose X-Forwarded-For to trust (Fastify's `trustProxy`). */
  trustProxy?: number
}

type Login = { Body: { username?: unknown; password?: unknown } }

const credentials = (request: FastifyRequest): { username: string; password: string } | undefined => {
  const { username, password } = (request.body ?? {}) as Record<string, unknown>
  return typeof username === 'string' && typeof password === 'string' && username.length <= 64
    ? { username: username.toLowerCase(), password }
    : undefined
}

const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
  if (!request.session.get('user')) return reply.code(401).send({ error: 'log in first' })
}

/**
 * @example
 * const app = await createApp({ client: createClient('memory:') })
 * await app.listen({ port: 3000 })
 */
export const createApp = async ({ client, trustProxy = 0 }: ExampleOptions): Promise<FastifyInstance> => {
  // Logins fail closed: `skipOnError: false` refuses while Valkey is unreachable; the API fails open.
  const limiter = (prefix: string, limit: number, window: '15 m' | '1 m', onTimeout: 'allow' | 'deny') =>
    createLimiter({
      client,
      prefix,
      timeout: 2000,
      onTimeout,
      limits: slidingWindow(limit, window, { name: prefix }),
    })
  // Trust the last `trustProxy` hops of X-Forwarded-For (Fastify's trustProxy as a function).
  const app = Fastify({ trustProxy: (_address, hop) => hop < trustProxy, bodyLimit: 4096 })
  // Fastify parses only JSON bodies by default, so a cross-site HTML form (urlencoded) cannot
  // reach a route: the CSRF protection cookie sessions need.
  await app.register(session, { sessions: createSessions({ client, userKey: 'user', idleTimeout: 30 * 60 }) })

  const loginPerIp = rateLimitHook({ limiter: limiter('login-ip', 5, '15 m', 'deny') })
  const loginPerUser = rateLimitHook({
    limiter: limiter('login-user', 5, '15 m', 'deny'),
    allowList: (request) => credentials(request) === undefined,
    keyGenerator: (request) => `user:${credentials(request)?.username}`,
  })
  const api = rateLimitHook({
    limiter: limiter('api', 100, '1 m', 'allow'),
    keyGenerator: (request) => `user:${request.session.get('user')}`,
  })

  app.get('/', async (_request, reply) =>
    reply
      .type('text/plain')
      .send(
        'floodgate example (Fastify): POST /login {"username","password"}, GET /me, GET /api/data, POST /logout, POST /logout-everywhere\n',
      ),
  )

  app.post<Login>('/login', { preHandler: [loginPerIp, loginPerUser] }, async (request, reply) => {
    const given = credentials(request)
    if (!given) return reply.code(400).send({ error: 'send JSON: {"username": "...", "password": "..."}' })
    if (!(await checkPassword(given.username, given.password))) {
      return reply.code(401).send({ error: 'wrong username or password' })
    }
    request.session.regenerate() // a new session id at login: no session fixation
    request.session.set('user', given.username)
    request.session.set('since', Date.now())
    return { user: given.username }
  })

  app.get('/me', { preHandler: signedIn }, async (request) => ({
    user: request.session.get('user'),
    since: request.session.get('since'),
  }))

  app.get('/api/data', { preHandler: [signedIn, api] }, async (request, reply) => ({
    user: request.session.get('user'),
    remaining: Number(reply.getHeader('x-ratelimit-remaining')),
  }))

  app.post('/logout', async (request) => {
    request.session.destroy()
    return { ok: true }
  })

  app.post('/logout-everywhere', { preHandler: signedIn }, async (request) => {
    const user = request.session.get('user') as string
    request.session.destroy()
    return { sessions: await request.sessions.destroyAll(user) }
  })

  return app
}
