/**
 * SessionStore under the real express-session, against real Valkey: express-session's store
 * contract (get/set/destroy/touch with callbacks, TTL from the cookie, regenerate through the
 * Store base class), connect-redis's key format, and the lost update that express-session +
 * connect-redis show on two parallel requests — and that `fields: true` removes.
 */
import express, { type RequestHandler } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { SessionStore } from '../../src/express/session-store.ts'
import { cookieOf, type Listening, listen, peer, sleep } from '../node-servers/http.ts'
import { useValkey } from '../support/use-valkey.ts'

const expressSession = peer('express-session')
const { RedisStore } = peer('connect-redis')
const { createClient: createRedisClient } = peer('redis')

const valkey = useValkey()
let tcp: Client
let redis: { quit(): Promise<void>; connect(): Promise<unknown> }
beforeAll(async () => {
  tcp = createTcpClient({ url: valkey.url, connect })
  redis = createRedisClient({ url: valkey.url })
  await redis.connect()
})
afterAll(async () => {
  await tcp.close()
  await redis.quit()
})

/** An app on express-session with `store`, as its README recommends for a login (no resave). */
const app = (store: unknown) => {
  const server = express()
  const middleware: RequestHandler = expressSession({
    store,
    secret: 'a-test-secret-of-at-least-32-bytes!!',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 60_000 },
  })
  server.use(middleware)
  const session = (req: express.Request) => req.session as unknown as Record<string, unknown>
  server.post('/set/:name/:value', async (req, res) => {
    const data = session(req)
    void data[req.params.name!]
    await sleep(Number(req.query.delay ?? 0))
    data[req.params.name!] = req.params.value
    res.json({ ok: true })
  })
  server.get('/data', (req, res) => {
    const { cookie: _, ...data } = session(req)
    res.json(data)
  })
  server.post('/regenerate', (req, res, next) => {
    const old = (req as unknown as { sessionID: string }).sessionID
    ;(req.session as unknown as { regenerate(cb: (error?: unknown) => void): void }).regenerate((error) => {
      if (error) return next(error)
      session(req).user = 'alice'
      res.json({ old })
    })
  })
  server.post('/destroy', (req, res) => {
    ;(req.session as unknown as { destroy(cb: () => void): void }).destroy(() => res.json({ ok: true }))
  })
  return server
}

/**
 * Reads the whole response: express-session sends the headers (the cookie) before its store write
 * has finished and holds back only the last byte of the body (expressjs/session #309).
 */
const post = async (server: Listening, path: string, cookie?: string) => {
  const response = await fetch(server.url + path, { method: 'POST', headers: cookie ? { cookie } : {} })
  await response.clone().arrayBuffer()
  return response
}
const data = async (server: Listening, cookie: string) =>
  (await fetch(`${server.url}/data`, { headers: { cookie } })).json()

/** Two requests on one session: a slow one writing `theme`, a fast one writing `cart` meanwhile. */
const race = async (server: Listening) => {
  const cookie = cookieOf(await post(server, '/set/user/alice'))
  await Promise.all([
    post(server, '/set/theme/dark?delay=300', cookie),
    sleep(50).then(() => post(server, '/set/cart/3', cookie)),
  ])
  return data(server, cookie)
}

describe('express-session with connect-redis (the peer)', () => {
  it('loses the write of the faster of two parallel requests', async () => {
    const server = await listen(app(new RedisStore({ client: redis, prefix: `peer${crypto.randomUUID()}:` })))
    try {
      // The slow request saves the whole session it loaded, without the cart written meanwhile.
      expect(await race(server)).toEqual({ user: 'alice', theme: 'dark' })
    } finally {
      await server.close()
    }
  })
})

for (const [name, client] of [
  ['real Valkey', () => tcp],
  ['the memory backend', () => memory],
] as const) {
  describe(`SessionStore on ${name}, under express-session`, () => {
    let server: Listening
    let store: SessionStore
    beforeAll(async () => {
      store = new SessionStore({ client: client(), prefix: `s${crypto.randomUUID()}:`, fields: true })
      server = await listen(app(store))
    })
    afterAll(() => server.close())

    it('is an express-session Store', () => {
      expect(store).toBeInstanceOf(expressSession.Store)
      expect(store).toBeInstanceOf(SessionStore)
    })

    it('keeps both writes of two parallel requests with fields: true', async () => {
      expect(await race(server)).toEqual({ user: 'alice', theme: 'dark', cart: '3' })
    })

    it('regenerates through the Store base class: a new id, the old one gone', async () => {
      const before = cookieOf(await post(server, '/set/theme/light'))
      const response = await post(server, '/regenerate', before)
      const { old } = (await response.json()) as { old: string }
      const after = cookieOf(response)
      expect(after).not.toBe(before)
      expect(await store.get(old)).toBeNull()
      expect(await data(server, after)).toEqual({ user: 'alice' })
      expect(await data(server, before)).toEqual({})
    })

    it('destroys a session', async () => {
      const cookie = cookieOf(await post(server, '/set/user/bob'))
      await post(server, '/destroy', cookie)
      expect(await data(server, cookie)).toEqual({})
    })
  })
}

const memory = createMemoryClient()

describe('SessionStore: the express-session store contract on real Valkey', () => {
  const cookie = (ms: number) => ({ expires: new Date(Date.now() + ms).toISOString(), maxAge: ms })

  it('answers get/set/touch/destroy through callbacks, with the TTL taken from the cookie', async () => {
    const store = new SessionStore({ client: tcp, prefix: `c${crypto.randomUUID()}:` })
    const call = <T>(method: (cb: (error?: unknown, value?: T) => void) => void) =>
      new Promise<[unknown, T | undefined]>((resolve) => method((error, value) => resolve([error, value])))
    expect(await call((cb) => store.get('nope', cb))).toEqual([null, null])
    const thirty = cookie(30_000)
    expect(await call((cb) => store.set('a', { cookie: thirty, n: 1 }, cb))).toEqual([null, undefined])
    expect(await call((cb) => store.get('a', cb))).toEqual([null, { cookie: thirty, n: 1 }])
    const ttl = Number(await tcp.send(['PTTL', `${store.prefix}a`]))
    expect(ttl).toBeGreaterThan(25_000)
    expect(ttl).toBeLessThanOrEqual(30_000)
    await call((cb) => store.touch('a', { cookie: cookie(90_000) }, cb))
    expect(Number(await tcp.send(['PTTL', `${store.prefix}a`]))).toBeGreaterThan(85_000)
    await call((cb) => store.destroy('a', cb))
    expect(await store.get('a')).toBeNull()
  })

  it('uses the ttl option without a cookie expiry, and deletes a session whose cookie has expired', async () => {
    const store = new SessionStore({ client: tcp, prefix: `c${crypto.randomUUID()}:`, ttl: 120 })
    await store.set('a', { cookie: { expires: null }, n: 1 })
    const ttl = Number(await tcp.send(['PTTL', `${store.prefix}a`]))
    expect(ttl).toBeGreaterThan(115_000)
    await store.set('a', { cookie: { expires: new Date(Date.now() - 1000).toISOString() }, n: 2 })
    expect(await store.get('a')).toBeNull()
  })

  it('lists, counts and clears sessions (the optional all/length/clear)', async () => {
    const store = new SessionStore({ client: tcp, prefix: `c${crypto.randomUUID()}:` })
    await store.set('a', { cookie: cookie(60_000), n: 1 })
    await store.set('b', { cookie: cookie(60_000), n: 2 })
    expect(await store.length()).toBe(2)
    expect((await store.ids()).sort()).toEqual(['a', 'b'])
    expect((await store.all()).map((s) => [s.id, s.n]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ])
    await store.clear()
    expect(await store.length()).toBe(0)
  })

  it('reads what connect-redis wrote: switching stores keeps users signed in', async () => {
    const prefix = `swap${crypto.randomUUID()}:`
    const theirs = new RedisStore({ client: redis, prefix })
    await theirs.set('sid1', { cookie: cookie(60_000), user: 'alice' })
    const ours = new SessionStore({ client: tcp, prefix })
    expect(await ours.get('sid1')).toMatchObject({ user: 'alice' })
    await ours.set('sid2', { cookie: cookie(60_000), user: 'bob' })
    expect(await theirs.get('sid2')).toMatchObject({ user: 'bob' })
  })
})
