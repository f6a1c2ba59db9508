import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { type RateLimitPluginOptions, rateLimit, rateLimitHook } from '../../src/fastify/rate-limit.ts'
import { createLimiter } from '../../src/limit/limiter.ts'
import { slidingWindow } from '../../src/limit/sliding-window.ts'
import { hammer, sleep } from '../node-servers/http.ts'
import { withPausableValkey } from '../support/pausable-valkey.ts'
import { useBackends } from '../support/use-backends.ts'

const clients = useBackends()
const { memory, backends } = clients

const apps: FastifyInstance[] = []
afterAll(() => Promise.all(apps.map((app) => app.close())))

/** An app whose routes are all limited by the plugin with `options`; returns its base URL. */
const serve = async (options: RateLimitPluginOptions, trustProxy = false) => {
  const app = Fastify({ trustProxy })
  apps.push(app)
  await app.register(rateLimit, { nameSpace: `t${crypto.randomUUID()}:`, ...options })
  app.get('/', async (request) => ({ ip: request.ip }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

for (const [name, client] of backends) {
  describe(`fastify rateLimit on ${name}`, () => {
    it('admits exactly 100 of 2,000 requests (100 in flight) on max 100', async () => {
      const url = await serve({ client: client(), max: 100, timeWindow: '1 minute' })
      expect(await hammer(2000, 100, () => fetch(url))).toEqual({ 200: 100, 429: 1900 })
    })

    it('answers 403 once a client has been refused more than `ban` times', async () => {
      const banned: string[] = []
      const url = await serve({ client: client(), max: 1, ban: 2, onBanReach: (_r, key) => banned.push(key) })
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await fetch(url)).status)
      expect(statuses).toEqual([200, 429, 429, 403, 403])
      expect(banned).toEqual(['127.0.0.1', '127.0.0.1'])
    })

    it('restarts the window on each refused request with continueExceeding', async () => {
      const url = await serve({ client: client(), max: 1, timeWindow: 1000, continueExceeding: true })
      await fetch(url)
      await sleep(600)
      expect((await fetch(url)).status).toBe(429) // restarts the window: 1 s from now
      await sleep(600)
      expect((await fetch(url)).status).toBe(429) // would have passed without continueExceeding
    })
  })
}

describe('fastify rateLimit: the block cache', () => {
  it('answers a key over its limit from memory: the flood costs Valkey no more hits', async () => {
    const counts = []
    for (const blockCache of [undefined, false] as const) {
      const nameSpace = `t${crypto.randomUUID()}:`
      const url = await serve({
        client: clients.tcp,
        max: 2,
        nameSpace,
        ...(blockCache === false ? { blockCache } : {}),
      })
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) statuses.push((await fetch(url)).status)
      expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 429, 429, 429])
      counts.push(Number(await clients.tcp.send(['GET', `${nameSpace}127.0.0.1`])))
    }
    expect(counts).toEqual([3, 10])
  })
})

describe('fastify rateLimit: headers, keys and options', () => {
  it('sends x-ratelimit-* while admitted and retry-after with the 429, whose body says when', async () => {
    const url = await serve({ client: memory, max: 1, timeWindow: 60_000 })
    const ok = await fetch(url)
    expect(ok.headers.get('x-ratelimit-limit')).toBe('1')
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(ok.headers.get('x-ratelimit-reset'))).toBe(60)
    const denied = await fetch(url)
    expect(denied.status).toBe(429)
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThan(58)
    expect(await denied.json()).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Rate limit exceeded, retry in /),
    })
  })

  it('uses ratelimit-* names with enableDraftSpec, and the errorResponseBuilder', async () => {
    const url = await serve({
      client: memory,
      max: 1,
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) => ({
        statusCode: context.statusCode,
        code: 'SLOW',
        max: context.max,
      }),
    })
    const ok = await fetch(url)
    expect(ok.headers.get('ratelimit-limit')).toBe('1')
    expect(ok.headers.get('x-ratelimit-limit')).toBeNull()
    const denied = await fetch(url)
    expect(denied.status).toBe(429)
    expect(await denied.json()).toMatchObject({ code: 'SLOW', max: 1 })
  })

  it("keys by request.ip: X-Forwarded-For counts only with Fastify's trustProxy; IPv6 by /64", async () => {
    const off = await serve({ client: memory, max: 1 })
    expect((await fetch(off, { headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(200)
    expect((await fetch(off, { headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(429)
    const on = await serve({ client: memory, max: 1 }, true)
    expect((await fetch(on, { headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(200)
    expect((await fetch(on, { headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(200)
    expect((await fetch(on, { headers: { 'x-forwarded-for': '2001:db8:1:2::1' } })).status).toBe(200)
    expect((await fetch(on, { headers: { 'x-forwarded-for': '2001:db8:1:2:ffff::9' } })).status).toBe(429)
    expect((await fetch(on, { headers: { 'x-forwarded-for': '2001:db8:1:3::1' } })).status).toBe(200)
  })

  it('lets allowList keys through, and calls onExceeding / onExceeded', async () => {
    const seen: string[] = []
    const url = await serve({
      client: memory,
      max: 1,
      allowList: (request) => request.headers['x-internal'] === '1',
      onExceeding: () => seen.push('exceeding'),
      onExceeded: () => seen.push('exceeded'),
    })
    for (let i = 0; i < 3; i++)
      expect((await fetch(url, { headers: { 'x-internal': '1' } })).status).toBe(200)
    await fetch(url)
    await fetch(url)
    expect(seen).toEqual(['exceeding', 'exceeded'])
  })

  it('decides with a floodgate limiter when given one', async () => {
    const limiter = createLimiter({
      client: memory,
      prefix: `t${crypto.randomUUID()}`,
      limits: slidingWindow(2, '1 m'),
    })
    const url = await serve({ limiter })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status)
    expect(statuses).toEqual([200, 200, 429])
    expect(() => rateLimitHook({ limiter, ban: 1 })).toThrow(/ban and continueExceeding/)
  })

  it('limits one route with the hook alone, in preHandler where the body is parsed', async () => {
    const app = Fastify()
    apps.push(app)
    const limit = rateLimitHook({
      client: memory,
      max: 1,
      nameSpace: `t${crypto.randomUUID()}:`,
      keyGenerator: (r) => (r.body as { user: string }).user,
    })
    app.post('/login', { preHandler: limit }, async () => ({ ok: true }))
    app.get('/free', async () => ({ ok: true }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
    const login = (user: string) =>
      fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      })
    expect((await login('alice')).status).toBe(200)
    expect((await login('alice')).status).toBe(429)
    expect((await login('bob')).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/free`)).status).toBe(200)
  })
})

describe('fastify rateLimit with Valkey not answering', () => {
  it('fails by skipOnError within the timeout: an error by default, admitted when it is true', async () => {
    await withPausableValkey(async (server, client) => {
      const closed = await serve({ client, max: 100, timeout: 300 })
      const open = await serve({ client, max: 100, timeout: 300, skipOnError: true })
      server.pause()
      const started = performance.now()
      const [a, b] = await Promise.all([fetch(closed), fetch(open)])
      const took = performance.now() - started
      expect([a.status, b.status]).toEqual([500, 200])
      expect(took).toBeLessThan(3000)
    })
  })
})
