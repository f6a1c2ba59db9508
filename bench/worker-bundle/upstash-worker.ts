/**
 * The same Worker built from what users glue together today: `@upstash/ratelimit` over
 * `@upstash/redis/cloudflare` and `iron-session` cookies, in Hono. Bundled the same way, as the
 * peer for floodgate's bundle size.
 */
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis/cloudflare'
import { Hono } from 'hono'
import { getIronSession } from 'iron-session'

type Bindings = { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string; SECRET: string }

const app = new Hono<{ Bindings: Bindings }>()
app.get('/', async (c) => {
  const redis = Redis.fromEnv(c.env)
  const limiter = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(100, '1 m') })
  const { success, pending } = await limiter.limit(c.req.header('cf-connecting-ip') ?? 'unknown')
  c.executionCtx.waitUntil(pending)
  if (!success) return c.json({ error: 'Too many requests' }, 429)
  const response = new Response()
  const s = await getIronSession<{ user?: string }>(c.req.raw, response, {
    password: c.env.SECRET,
    cookieName: 'session',
  })
  return c.json({ user: s.user ?? null }, { headers: response.headers })
})

export default app
