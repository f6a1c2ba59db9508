import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { describe, expect, it } from 'vitest'
import { type SessionEnv, session } from '../../src/hono/session.ts'
import { createSessions } from '../../src/session/index.ts'

type Data = { user: string; views: number }

const sessions = createSessions<Data>({
  mode: 'stateless',
  secrets: 'a-test-secret-of-at-least-32-bytes!!',
  onInvalid: () => {},
})

const build = () => {
  const app = new Hono<SessionEnv<Data>>()
  app.use(csrf(), session({ sessions }))
  app.post('/login', (c) => {
    c.var.session.regenerate()
    c.var.session.set('user', 'alice')
    return c.json({ ok: true })
  })
  app.get('/me', (c) => {
    const user = c.get('session').get('user')
    if (!user) return c.json({ error: 'not logged in' }, 401)
    c.var.session.set('views', (c.var.session.get('views') ?? 0) + 1)
    return c.json({ user, views: c.var.session.get('views') })
  })
  app.get('/peek', (c) => c.json({ user: c.var.session.get('user') ?? null }))
  app.post('/logout', (c) => {
    c.var.session.destroy()
    return c.json({ ok: true })
  })
  return app
}

// hono/csrf refuses a POST a form could send (a form content type, or none) from another origin.
const post = { method: 'POST', headers: { 'content-type': 'application/json' } }

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]?.split(';')[0]

describe('session()', () => {
  it('loads the session before the handler and sets the cookie after it', async () => {
    const app = build()
    const login = await app.request('/login', post)
    expect(login.status).toBe(200)
    const [line] = login.headers.getSetCookie()
    expect(line).toMatch(/^__Host-session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax/)
    const me = await app.request('/me', { headers: { cookie: cookieOf(login)! } })
    expect(await me.json()).toEqual({ user: 'alice', views: 1 })
  })

  it('sends no Set-Cookie when the handler changed nothing', async () => {
    const app = build()
    const login = await app.request('/login', post)
    const peek = await app.request('/peek', { headers: { cookie: cookieOf(login)! } })
    expect(await peek.json()).toEqual({ user: 'alice' })
    expect(peek.headers.getSetCookie()).toEqual([])
    expect((await app.request('/peek')).headers.getSetCookie()).toEqual([])
  })

  it('clears the cookie on destroy()', async () => {
    const app = build()
    const login = await app.request('/login', post)
    const out = await app.request('/logout', {
      ...post,
      headers: { ...post.headers, cookie: cookieOf(login)! },
    })
    expect(out.headers.getSetCookie()[0]).toMatch(/^__Host-session=; Max-Age=0/)
  })

  it('treats a tampered cookie as no session, never a 500', async () => {
    const app = build()
    const me = await app.request('/me', { headers: { cookie: '__Host-session=eyJhbGciOiJkaXIifQ.x.y.z.w' } })
    expect(me.status).toBe(401)
  })

  it('takes sessions from a function of the request', async () => {
    const app = new Hono<SessionEnv<Data>>()
    let calls = 0
    app.use(
      session({
        sessions: () => {
          calls++
          return sessions
        },
      }),
    )
    app.get('/', (c) => c.text(String(c.var.sessions === sessions)))
    expect(await (await app.request('/')).text()).toBe('true')
    expect(calls).toBe(1)
  })

  it('lets hono/csrf refuse a cross-site form post before the session is touched', async () => {
    const response = await build().request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'a=1',
    })
    expect(response.status).toBe(403)
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('rejects a missing sessions option with a TypeError that says what to pass', () => {
    expect(() => session({ sessions: undefined as never })).toThrow(
      /sessions must come from createSessions\(\)/,
    )
  })
})
