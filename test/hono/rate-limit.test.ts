import { Hono } from 'hono'
import { beforeEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { type RateLimitEnv, rateLimit } from '../../src/hono/rate-limit.ts'
import { type RateLimitInfo, rateLimiter } from '../../src/hono/rate-limiter.ts'
import { fixedWindow } from '../../src/limit/fixed-window.ts'
import { createLimiter } from '../../src/limit/limiter.ts'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useBackends } from '../support/use-backends.ts'

const { valkey, memory, backends } = useBackends()

const json = { 'content-type': 'application/json' }
const node = (address: string) => ({ incoming: { socket: { remoteAddress: address } } })

for (const [name, client] of backends) {
  describe(`rateLimit() on ${name}`, () => {
    // Fixed windows of a minute on the real clock.
    beforeEach(() => clearOfWindowEdge(60_000))
    let prefix = ''
    const limiter = (limit = 3) => {
      prefix = `t${crypto.randomUUID()}`
      return createLimiter({
        client: client(),
        prefix,
        limits: fixedWindow(limit, '1 m', { name: 'per-min' }),
      })
    }

    it('admits up to the limit with IETF headers, then answers 429 with Retry-After before the handler', async () => {
      let handled = 0
      const app = new Hono<RateLimitEnv>()
      app.get('/', rateLimit({ limiter: limiter() }), (c) => {
        handled++
        return c.json({ remaining: c.var.rateLimit.remaining })
      })
      const env = node('203.0.113.5')
      const statuses: number[] = []
      let last: Response | undefined
      for (let i = 0; i < 4; i++) {
        last = await app.request('/', {}, env)
        statuses.push(last.status)
        if (i === 0) {
          expect(await last.json()).toEqual({ remaining: 2 })
          expect(last.headers.get('RateLimit-Policy')).toBe('"per-min";q=3;w=60')
          expect(last.headers.get('RateLimit')).toMatch(/^"per-min";r=2;t=\d+$/)
          expect(last.headers.get('X-RateLimit-Limit')).toBeNull()
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429])
      expect(handled).toBe(3)
      const retryAfter = Number(last!.headers.get('Retry-After'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(await last!.json()).toEqual({ error: 'Too many requests', retryAfter })
      expect(last!.headers.get('RateLimit')).toBe(`"per-min";r=0;t=${retryAfter}`)
    })

    it('keys by the client IP: another address has its own budget', async () => {
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(1) }), (c) => c.text('ok'))
      expect((await app.request('/', {}, node('203.0.113.6'))).status).toBe(200)
      expect((await app.request('/', {}, node('203.0.113.6'))).status).toBe(429)
      expect((await app.request('/', {}, node('203.0.113.7'))).status).toBe(200)
    })

    it('limits an IPv6 client per /64, however it rotates its interface id', async () => {
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(1) }), (c) => c.text('ok'))
      expect((await app.request('/', {}, node('2001:db8:1:2::1'))).status).toBe(200)
      expect((await app.request('/', {}, node('2001:db8:1:2:dead:beef:0:7'))).status).toBe(429)
      expect((await app.request('/', {}, node('2001:db8:1:3::1'))).status).toBe(200)
      expect(await client().send(['EXISTS', `{${prefix}:2001:db8:1:2::/64}:fw:60000`])).toBe(1)
    })

    it('never keys on a spoofed X-Forwarded-For unless told to trust a proxy', async () => {
      const spoof = (ip: string) => ({ headers: { 'x-forwarded-for': ip } })
      const strict = new Hono()
      strict.get('/', rateLimit({ limiter: limiter(1) }), (c) => c.text('ok'))
      expect((await strict.request('/', spoof('1.1.1.1'), node('10.0.0.1'))).status).toBe(200)
      expect((await strict.request('/', spoof('2.2.2.2'), node('10.0.0.1'))).status).toBe(429)
      const proxied = new Hono()
      proxied.get('/', rateLimit({ limiter: limiter(1), trustProxy: 1 }), (c) => c.text('ok'))
      expect((await proxied.request('/', spoof('1.1.1.1'), node('10.0.0.1'))).status).toBe(200)
      expect((await proxied.request('/', spoof('2.2.2.2'), node('10.0.0.1'))).status).toBe(200)
    })

    it("puts requests without an IP in one shared 'unknown' budget", async () => {
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(1) }), (c) => c.text('ok'))
      expect((await app.request('/')).status).toBe(200)
      expect((await app.request('/')).status).toBe(429)
      expect(await client().send(['GET', `{${prefix}:unknown}:fw:60000`])).toMatch(/:1$/)
    })

    it('takes a key function, and lets a request through unlimited when it returns undefined', async () => {
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(1), key: (c) => c.req.query('user') }), (c) => c.text('ok'))
      expect((await app.request('/?user=alice')).status).toBe(200)
      expect((await app.request('/?user=alice')).status).toBe(429)
      expect((await app.request('/?user=bob')).status).toBe(200)
      expect((await app.request('/')).status).toBe(200)
      expect((await app.request('/')).status).toBe(200)
    })

    it('charges the cost function and skips what skip() says', async () => {
      const app = new Hono()
      app.post(
        '/',
        rateLimit({
          limiter: limiter(10),
          key: () => 'k',
          cost: async (c) => Number((await c.req.json()).items),
          skip: (c) => c.req.header('x-admin') === 'yes',
        }),
        (c) => c.json(c.get('rateLimit' as never) ?? null),
      )
      const post = (items: number, headers: Record<string, string> = {}) =>
        app.request('/', {
          method: 'POST',
          headers: { ...json, ...headers },
          body: JSON.stringify({ items }),
        })
      expect((await post(7)).status).toBe(200)
      expect((await post(4)).status).toBe(429)
      expect((await post(4, { 'x-admin': 'yes' })).status).toBe(200)
      expect((await post(3)).status).toBe(200)
    })

    it.each([
      ['legacy', ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']],
      [
        'both',
        ['ratelimit', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      ],
      ['none', []],
      ['ietf', ['ratelimit', 'ratelimit-policy']],
    ] as const)('sends the %s header style, and Retry-After on every 429', async (style, names) => {
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(1), key: () => 'k', headers: style }), (c) => c.text('ok'))
      const ok = await app.request('/')
      const rateHeaders = [...ok.headers.keys()].filter((h) => h.includes('ratelimit')).sort()
      expect(rateHeaders).toEqual([...names].sort())
      if (style === 'legacy') {
        expect(ok.headers.get('x-ratelimit-limit')).toBe('1')
        expect(ok.headers.get('x-ratelimit-remaining')).toBe('0')
        expect(Number(ok.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 5)
      }
      const denied = await app.request('/')
      expect(denied.status).toBe(429)
      expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    })

    it('builds the 429 with onLimit, keeping the rate-limit headers', async () => {
      const app = new Hono()
      app.get(
        '/',
        rateLimit({
          limiter: limiter(1),
          key: () => 'k',
          onLimit: (c, result) => c.text(`slow down, ${result.remaining} left`, 429),
        }),
        (c) => c.text('ok'),
      )
      await app.request('/')
      const denied = await app.request('/')
      expect(await denied.text()).toBe('slow down, 0 left')
      expect(denied.headers.get('retry-after')).not.toBeNull()
      expect(denied.headers.get('ratelimit-policy')).toBe('"per-min";q=1;w=60')
    })

    it("hands the limiter's pending work to c.executionCtx.waitUntil", async () => {
      const handed: Promise<unknown>[] = []
      const ctx = {
        waitUntil: (p: Promise<unknown>) => handed.push(p),
        passThroughOnException() {},
        props: {},
      }
      const app = new Hono()
      app.get('/', rateLimit({ limiter: limiter(), key: () => 'k' }), (c) => c.text('ok'))
      await app.request('/', {}, undefined, ctx)
      expect(handed).toHaveLength(1)
      await expect(handed[0]).resolves.toBeUndefined()
    })

    it('lists both policies when two limiters guard one route', async () => {
      const app = new Hono()
      const perIp = createLimiter({
        client: client(),
        prefix: `a${crypto.randomUUID()}`,
        limits: fixedWindow(5, '15 m', { name: 'ip' }),
      })
      const perUser = createLimiter({
        client: client(),
        prefix: `b${crypto.randomUUID()}`,
        limits: fixedWindow(2, '1 m', { name: 'user' }),
      })
      app.get(
        '/',
        rateLimit({ limiter: perIp, key: () => 'ip' }),
        rateLimit({ limiter: () => perUser, key: () => 'u' }),
        (c) => c.text('ok'),
      )
      const response = await app.request('/')
      expect(response.headers.get('ratelimit-policy')).toBe('"user";q=2;w=60, "ip";q=5;w=900')
      expect(response.headers.get('ratelimit')).toMatch(/^"user";r=1;t=\d+, "ip";r=4;t=\d+$/)
    })
  })
}

describe('rateLimit() options', () => {
  const limiter = createLimiter({ client: createMemoryClient(), limits: fixedWindow(1, '1 s') })

  it('rejects a limiter that is not one and an unknown header style with TypeErrors that say what to pass', () => {
    expect(() => rateLimit({ limiter: {} as never })).toThrow(
      /limiter must be a limiter from createLimiter\(\)/,
    )
    expect(() => rateLimit({ limiter, headers: 'draft-7' as never })).toThrow(
      /headers must be one of ietf, legacy, both, none, received draft-7/,
    )
    expect(() => rateLimiter({ windowMs: -1 })).toThrow(/windowMs must be a positive whole number of ms/)
  })

  it('fails open with only the policy header when the backend does not answer in time', async () => {
    valkey.server.pause()
    const slow = createTcpClient({ url: valkey.url, connect })
    try {
      const app = new Hono()
      const paused = createLimiter({
        client: slow,
        limits: fixedWindow(1, '1 m', { name: 'p' }),
        timeout: 100,
      })
      app.get('/', rateLimit({ limiter: paused, key: () => 'k' }), (c) =>
        c.text(c.get('rateLimit' as never) ? 'ok' : ''),
      )
      const response = await app.request('/')
      expect(response.status).toBe(200)
      expect(response.headers.get('ratelimit-policy')).toBe('"p";q=1;w=60')
      expect(response.headers.get('ratelimit')).toBeNull()
    } finally {
      valkey.server.resume()
      await slow.close()
    }
  })
})

describe("rateLimiter(): hono-rate-limiter's options", () => {
  beforeEach(() => clearOfWindowEdge(60_000))

  it('sends draft-8 headers as express-rate-limit forms them (partition key of the identifier)', async () => {
    const app = new Hono()
    app.use(
      rateLimiter({ windowMs: 60_000, limit: 2, keyGenerator: () => 'user-42', standardHeaders: 'draft-8' }),
    )
    app.get('/', (c) => c.text('ok'))
    const first = await app.request('/')
    // base64 of the first 12 hex digits of sha256("user-42"), as express-rate-limit 8.7 computes it.
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('user-42'))
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
    const pk = Buffer.from(hex.slice(0, 12)).toString('base64')
    expect(first.headers.get('RateLimit-Policy')).toBe(`"2-per-1m"; q=2; w=60; pk=:${pk}:`)
    expect(first.headers.get('RateLimit')).toMatch(/^"2-per-1m"; r=1; t=\d+$/)
    await app.request('/')
    const third = await app.request('/')
    expect(third.status).toBe(429)
    expect(Number(third.headers.get('Retry-After'))).toBeGreaterThan(0)
  })

  it('gives back the cost of failed requests and of handlers that throw (skipFailedRequests)', async () => {
    const app = new Hono()
    app.use(rateLimiter({ windowMs: 60_000, limit: 2, keyGenerator: () => 'k', skipFailedRequests: true }))
    app.get('/fail', (c) => c.text('no', 500))
    app.get('/throw', () => {
      throw new Error('boom')
    })
    app.get('/ok', (c) => c.text('ok'))
    app.onError((_, c) => c.text('error', 500))
    for (let i = 0; i < 5; i++) expect((await app.request('/fail')).status).toBe(500)
    for (let i = 0; i < 5; i++) expect((await app.request('/throw')).status).toBe(500)
    expect((await app.request('/ok')).status).toBe(200)
    expect((await app.request('/ok')).status).toBe(200)
    expect((await app.request('/ok')).status).toBe(429)
  })

  it('runs on a given client and sets used and resetTime on c.var.rateLimit', async () => {
    const app = new Hono<{ Variables: { rateLimit: RateLimitInfo } }>()
    app.use(
      rateLimiter({
        windowMs: 60_000,
        limit: 3,
        keyGenerator: () => 'u',
        client: memory,
        prefix: `p${crypto.randomUUID()}`,
      }),
    )
    app.get('/', (c) =>
      c.json({ used: c.var.rateLimit.used, reset: c.var.rateLimit.resetTime instanceof Date }),
    )
    await app.request('/')
    expect(await (await app.request('/')).json()).toEqual({ used: 2, reset: true })
  })
})
