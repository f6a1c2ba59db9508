import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '../../src/client/types.ts'
import { session } from '../../src/fastify/session.ts'
import { createSessions } from '../../src/session/sessions.ts'
import { cookieOf, sleep } from '../node-servers/http.ts'
import { useBackends } from '../support/use-backends.ts'

const { backends } = useBackends()

const build = async (client: Client): Promise<FastifyInstance> => {
  const app = Fastify()
  const sessions = createSessions({
    client,
    prefix: `t${crypto.randomUUID()}:`,
    userKey: 'user',
    cookie: { name: 'sid', secure: false },
  })
  await app.register(session, { sessions })
  app.post<{ Body: { user: string } }>('/login', async (request) => {
    request.session.regenerate()
    request.session.set('user', request.body.user)
    return { user: request.body.user }
  })
  app.get('/me', async (request, reply) => {
    if (!request.session.get('user')) return reply.code(401).send({ error: 'log in first' })
    return request.session.all()
  })
  app.post<{ Params: { name: string; value: string }; Querystring: { delay?: string } }>(
    '/set/:name/:value',
    async (request) => {
      request.session.get(request.params.name)
      await sleep(Number(request.query.delay ?? 0))
      request.session.set(request.params.name, request.params.value)
      return { ok: true }
    },
  )
  app.post('/logout', async (request) => {
    request.session.destroy()
    return { ok: true }
  })
  app.post('/logout-everywhere', async (request) => {
    const user = request.session.get('user') as string
    request.session.destroy()
    return { ended: await request.sessions.destroyAll(user) }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

for (const [name, client] of backends) {
  describe(`fastify session plugin on ${name}`, () => {
    let app: FastifyInstance
    let url = ''
    beforeAll(async () => {
      app = await build(client())
      const { port } = app.server.address() as { port: number }
      url = `http://127.0.0.1:${port}`
    })
    afterAll(() => app.close())

    const post = (path: string, cookie?: string, body: unknown = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      })
    const get = (path: string, cookie?: string) => fetch(url + path, { headers: cookie ? { cookie } : {} })

    it('round-trips a session through its cookie', async () => {
      const login = await post('/login', undefined, { user: 'alice' })
      expect(login.headers.getSetCookie()[0]).toMatch(
        /^sid=[\w-]{43}; Max-Age=1800; Path=\/; HttpOnly; SameSite=Lax$/,
      )
      const me = await get('/me', cookieOf(login))
      expect(await me.json()).toEqual({ user: 'alice' })
      expect(me.headers.getSetCookie()).toEqual([])
    })

    it('gives a new id on login and kills the old one (no session fixation)', async () => {
      const planted = cookieOf(await post('/set/theme/dark'))
      const fresh = cookieOf(await post('/login', planted, { user: 'alice' }))
      expect(fresh).not.toBe(planted)
      expect(await (await get('/me', fresh)).json()).toEqual({ theme: 'dark', user: 'alice' })
      expect((await get('/me', planted)).status).toBe(401)
    })

    it('destroys one session, or every session of a user', async () => {
      const one = cookieOf(await post('/login', undefined, { user: 'carol' }))
      expect((await post('/logout', one)).headers.getSetCookie()[0]).toMatch(/^sid=; Max-Age=0/)
      expect((await get('/me', one)).status).toBe(401)
      const user = `dave-${crypto.randomUUID()}`
      const laptop = cookieOf(await post('/login', undefined, { user }))
      const phone = cookieOf(await post('/login', undefined, { user }))
      expect(await (await post('/logout-everywhere', laptop)).json()).toEqual({ ended: 2 })
      expect((await get('/me', phone)).status).toBe(401)
    })

    it('keeps both writes of two parallel requests that change different fields', async () => {
      const cookie = cookieOf(await post('/login', undefined, { user: 'frank' }))
      await Promise.all([
        post('/set/theme/dark?delay=300', cookie),
        sleep(50).then(() => post('/set/cart/3', cookie)),
      ])
      expect(await (await get('/me', cookie)).json()).toEqual({ user: 'frank', theme: 'dark', cart: '3' })
    })
  })
}
