/**
 * The smallest real floodgate Worker: an API limiter and sessions over the bridge (HTTP), as
 * Hono middleware. Bundled by `wrangler deploy --dry-run` to measure size.
 */
import { createHttpClient, createLimiter, createSessions, slidingWindow } from 'floodgate'
import { type RateLimitEnv, rateLimit, type SessionEnv, session } from 'floodgate/hono'
import { type Context, Hono } from 'hono'

type Data = { user: string }
type Env = SessionEnv<Data> & RateLimitEnv & { Bindings: { FLOODGATE_URL: string; FLOODGATE_TOKEN: string } }

const perRequest = new WeakMap<Request, ReturnType<typeof build>>()
const build = (c: Context<Env>) => {
  const client = createHttpClient({ url: c.env.FLOODGATE_URL, token: c.env.FLOODGATE_TOKEN })
  return {
    sessions: createSessions<Data>({ client, userKey: 'user' }),
    limiter: createLimiter({ client, limits: slidingWindow(100, '1 m') }),
  }
}
const use = (c: Context<Env>) =>
  perRequest.get(c.req.raw) ?? perRequest.set(c.req.raw, build(c)).get(c.req.raw)!

const app = new Hono<Env>()
app.use(session<Data, Env>({ sessions: (c) => use(c).sessions }))
app.use(rateLimit<Env>({ limiter: (c) => use(c).limiter }))
app.get('/', (c) => c.json({ user: c.var.session.get('user') ?? null, remaining: c.var.rateLimit.remaining }))

export default app
