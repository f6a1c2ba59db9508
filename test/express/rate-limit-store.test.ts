/**
 * RateLimitStore under the real express-rate-limit: its Store contract (init, increment,
 * decrement, resetKey, get), exactness under 2,000 requests with 100 in flight, and counters
 * shared with rate-limit-redis (same keys), so an app can switch stores mid-window.
 */
import express from 'express'
import { rateLimit } from 'express-rate-limit'
import { describe, expect, it } from 'vitest'
import { RateLimitStore } from '../../src/express/rate-limit-store.ts'
import { hammer, listen, peer } from '../node-servers/http.ts'
import { useBackends } from '../support/use-backends.ts'

const { RedisStore } = peer('rate-limit-redis')
const { createClient: createRedisClient } = peer('redis')

const clients = useBackends()
const { valkey, backends } = clients

for (const [name, client] of backends) {
  describe(`RateLimitStore on ${name}`, () => {
    it('admits exactly 100 of 2,000 requests (100 in flight) under express-rate-limit', async () => {
      const app = express()
      const store = new RateLimitStore({ client: client(), prefix: `t${crypto.randomUUID()}:` })
      app.use(rateLimit({ windowMs: 60_000, limit: 100, store }))
      app.get('/', (_req, res) => void res.send('ok'))
      const server = await listen(app)
      try {
        expect(await hammer(2000, 100, () => fetch(server.url))).toEqual({ 200: 100, 429: 1900 })
      } finally {
        await server.close()
      }
    })

    it('keeps the Store contract: increment counts with a reset time, decrement, get, resetKey', async () => {
      const store = new RateLimitStore({ client: client(), prefix: `t${crypto.randomUUID()}:` })
      store.init({ windowMs: 30_000 })
      const before = Date.now()
      const one = await store.increment('k')
      expect(one.totalHits).toBe(1)
      const reset = one.resetTime!.getTime()
      expect(reset).toBeGreaterThanOrEqual(before + 29_000)
      expect(reset).toBeLessThanOrEqual(Date.now() + 30_000)
      expect((await store.increment('k')).totalHits).toBe(2)
      await store.decrement('k')
      expect((await store.get('k'))?.totalHits).toBe(1)
      await store.resetKey('k')
      expect(await store.get('k')).toBeUndefined()
      await store.decrement('never-counted')
      expect(await store.get('never-counted')).toBeUndefined()
      expect(store.localKeys).toBe(false)
    })

    it('restarts the window on every hit with resetExpiryOnChange', async () => {
      const store = new RateLimitStore({
        client: client(),
        prefix: `t${crypto.randomUUID()}:`,
        resetExpiryOnChange: true,
      })
      store.init({ windowMs: 1000 })
      await store.increment('k')
      await new Promise((resolve) => setTimeout(resolve, 600))
      const second = await store.increment('k')
      expect(second.totalHits).toBe(2)
      expect(second.resetTime!.getTime() - Date.now()).toBeGreaterThan(700)
    })
  })
}

describe('RateLimitStore next to rate-limit-redis', () => {
  it('reads and continues the counts rate-limit-redis wrote under the same prefix', async () => {
    const redis = createRedisClient({ url: valkey.url })
    await redis.connect()
    try {
      const prefix = `swap${crypto.randomUUID()}:`
      const theirs = new RedisStore({ sendCommand: (...args: string[]) => redis.sendCommand(args), prefix })
      theirs.init({ windowMs: 60_000 })
      await theirs.increment('203.0.113.9')
      await theirs.increment('203.0.113.9')
      const ours = new RateLimitStore({ client: clients.tcp, prefix })
      ours.init({ windowMs: 60_000 })
      expect((await ours.get('203.0.113.9'))?.totalHits).toBe(2)
      expect((await ours.increment('203.0.113.9')).totalHits).toBe(3)
    } finally {
      await redis.quit()
    }
  })
})
