import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/types.ts'
import { session } from '../../src/express/session.ts'
import { createSessions } from '../../src/session/sessions.ts'
import { cookieOf, type Listening, listen, sleep } from '../node-servers/http.ts'
import { withPausableValkey } from '../support/pausable-valkey.ts'
import { useBackends } from '../support/use-backends.ts'

const { backends } = useBackends()

/** The app under test: login, a session read, per-field writes with an optional delay, logouts. */
const build = (client: Client) => {
  const sessions = createSessions({
    client,
    prefix: `t${crypto.randomUUID()}:`,
    userKey: 'user',
    cookie: { name: 'sid', secure: false },
  })
  const app = express()
  app.use(express.json())
  app.use(session({ sessions }))
  app.post('/login', (req, res) => {
    req.session.regenerate()
    req.session.set('user', req.body.user)
    res.json({ user: req.body.user })
  })
  app.post('/login-redirect', (req, res) => {
    req.session.regenerate()
    req.session.set('user', 'alice')
    res.redirect(303, '/me')
  })
  app.get('/me', (req, res) => {
    const user = req.session.get('user')
    if (!user) return void res.status(401).json({ error: 'log in first' })
    res.json(req.session.all())
  })
  app.post('/set/:name/:value', async (req, res) => {
    // Read the session, then take a while before writing: the window a parallel request races.
    req.session.get(req.params.name!)
    await sleep(Number(req.query.delay ?? 0))
    req.session.set(req.params.name!, req.params.value)
    res.json({ ok: true })
  })
  app.get('/stream', (req, res) => {
    req.session.set('streamed', true)
    res.write('a')
    setTimeout(() => res.end('b'), 20)
  })
  app.post('/logout', (req, res) => {
    req.session.destroy()
    res.json({ ok: true })
  })
  app.post('/logout-everywhere', async (req, res) => {
    const user = req.session.get('user') as string
    req.session.destroy()
    res.json({ ended: await req.sessions.destroyAll(user) })
  })
  return app
}

for (const [name, client] of backends) {
  describe(`express session() on ${name}`, () => {
    let server: Listening
    beforeAll(async () => {
      server = await listen(build(client()))
    })
    afterAll(() => server.close())

    const post = (path: string, cookie?: string, body: unknown = {}) =>
      fetch(server.url + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      })
    const get = (path: string, cookie?: string) =>
      fetch(server.url + path, { headers: cookie ? { cookie } : {} })

    it('round-trips a session through its cookie', async () => {
      const login = await post('/login', undefined, { user: 'alice' })
      expect(login.status).toBe(200)
      expect(login.headers.getSetCookie()[0]).toMatch(
        /^sid=[\w-]{43}; Max-Age=1800; Path=\/; HttpOnly; SameSite=Lax$/,
      )
      const me = await get('/me', cookieOf(login))
      expect(await me.json()).toEqual({ user: 'alice' })
      expect(me.headers.getSetCookie()).toEqual([])
    })

    it('saves before the response leaves, so a redirect carries a cookie that already works', async () => {
      const redirect = await post('/login-redirect')
      expect(redirect.status).toBe(303)
      expect(redirect.headers.get('location')).toBe('/me')
      expect(await (await get('/me', cookieOf(redirect))).json()).toEqual({ user: 'alice' })
    })

    it('commits a streamed response before its first byte', async () => {
      const streamed = await get('/stream')
      expect(await streamed.text()).toBe('ab')
      const me = await get('/me', cookieOf(streamed))
      expect(me.status).toBe(401) // a session, but nobody logged in
      const cookie = cookieOf(streamed)
      await post('/set/user/bob', cookie)
      expect(await (await get('/me', cookie)).json()).toEqual({ streamed: true, user: 'bob' })
    })

    it('gives a new id on login and kills the old one (no session fixation)', async () => {
      const before = await post('/set/theme/dark')
      const planted = cookieOf(before)
      const login = await post('/login', planted, { user: 'alice' })
      const fresh = cookieOf(login)
      expect(fresh).not.toBe(planted)
      expect(await (await get('/me', fresh)).json()).toEqual({ theme: 'dark', user: 'alice' })
      // The id an attacker could have planted names no session any more.
      await post('/set/user/mallory', planted)
      expect(await (await get('/me', fresh)).json()).toEqual({ theme: 'dark', user: 'alice' })
      expect((await get('/me', planted)).status).toBe(401)
    })

    it('destroys a session and clears its cookie', async () => {
      const cookie = cookieOf(await post('/login', undefined, { user: 'carol' }))
      const out = await post('/logout', cookie)
      expect(out.headers.getSetCookie()[0]).toMatch(/^sid=; Max-Age=0/)
      expect((await get('/me', cookie)).status).toBe(401)
    })

    it('ends every session of a user with destroyAll', async () => {
      const user = `dave-${crypto.randomUUID()}`
      const laptop = cookieOf(await post('/login', undefined, { user }))
      const phone = cookieOf(await post('/login', undefined, { user }))
      const other = cookieOf(await post('/login', undefined, { user: 'erin' }))
      const out = await post('/logout-everywhere', laptop)
      // Both: destroyAll runs in the handler, before this request's own destroy() is committed.
      expect(await out.json()).toEqual({ ended: 2 })
      expect((await get('/me', laptop)).status).toBe(401)
      expect((await get('/me', phone)).status).toBe(401)
      expect((await get('/me', other)).status).toBe(200)
    })

    it('keeps both writes of two parallel requests that change different fields', async () => {
      const cookie = cookieOf(await post('/login', undefined, { user: 'frank' }))
      const [slow, fast] = await Promise.all([
        post('/set/theme/dark?delay=300', cookie),
        sleep(50).then(() => post('/set/cart/3', cookie)),
      ])
      expect([slow.status, fast.status]).toEqual([200, 200])
      expect(await (await get('/me', cookie)).json()).toEqual({ user: 'frank', theme: 'dark', cart: '3' })
    })
  })
}

describe('express session() when Valkey stops answering', () => {
  it('answers 503 and reports the error when the save fails, rather than a response without its session', async () => {
    await withPausableValkey(
      async (server, client) => {
        const errors: unknown[] = []
        const app = express()
        const sessions = createSessions({ client, cookie: { name: 'sid', secure: false } })
        app.use(session({ sessions, onError: (error) => errors.push(error) }))
        app.post('/login', async (req, res) => {
          server.pause() // Valkey goes silent after the load, before the save
          req.session.set('user', 'alice')
          res.json({ ok: true })
        })
        const http = await listen(app)
        try {
          const response = await fetch(`${http.url}/login`, { method: 'POST' })
          expect(response.status).toBe(503)
          expect(response.headers.getSetCookie()).toEqual([])
          expect(await response.text()).toMatch(/session store did not answer/)
          expect(errors).toHaveLength(1)
        } finally {
          await http.close()
        }
      },
      { commandTimeout: 300 },
    )
  })
})
