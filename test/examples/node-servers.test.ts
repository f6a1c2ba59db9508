/**
 * examples/express and examples/fastify over real HTTP, against Valkey over TCP, through the
 * bridge over HTTP, and on the in-process memory backend (FLOODGATE_URL picks, as users run
 * them): the login sets a session cookie that works, the API counts per user, the sixth login
 * guess from one IP in the window is refused, and sign-out-everywhere ends the sessions.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { start as startExpress } from '../../examples/express/start.ts'
import { start as startFastify } from '../../examples/fastify/start.ts'
import { useStack } from '../runtimes/support/stack.ts'

const stack = useStack()

const backends: Record<string, () => Record<string, string>> = {
  'Valkey over TCP': () => ({ FLOODGATE_URL: stack.redisUrl }),
  'the bridge over HTTP': () => ({ FLOODGATE_URL: stack.bridgeUrl, FLOODGATE_TOKEN: stack.token }),
  'the memory backend': () => ({}),
}
const examples = { 'examples/express': startExpress, 'examples/fastify': startFastify }

for (const [example, start] of Object.entries(examples)) {
  for (const [name, env] of Object.entries(backends)) {
    describe(`${example} on ${name}`, () => {
      let stop: (() => Promise<void>) | undefined
      afterEach(() => stop?.())

      it('logs in, keeps the session, limits guesses and the API, signs out everywhere', async () => {
        stack.reset()
        const app = await start({ port: 0, env: env() })
        stop = app.stop
        const base = app.url.replace('localhost', '127.0.0.1')
        const post = (path: string, body: unknown, cookie?: string) =>
          fetch(base + path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
            body: JSON.stringify(body),
          })
        const get = (path: string, cookie: string) => fetch(base + path, { headers: { cookie } })

        const login = await post('/login', { username: 'alice', password: 'correct horse' })
        expect(login.status).toBe(200)
        const line = login.headers.getSetCookie()[0]!
        expect(line).toMatch(
          /^__Host-session=[\w-]{43}; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
        )
        const cookie = line.split(';')[0]!
        expect(await (await get('/me', cookie)).json()).toMatchObject({ user: 'alice' })
        expect(await (await get('/api/data', cookie)).json()).toEqual({ user: 'alice', remaining: 99 })
        expect(await (await get('/api/data', cookie)).json()).toEqual({ user: 'alice', remaining: 98 })

        // One login from this IP so far: four more wrong guesses are answered, the next refused.
        const statuses: number[] = []
        for (let i = 0; i < 5; i++)
          statuses.push((await post('/login', { username: 'bob', password: 'nope' })).status)
        expect(statuses).toEqual([401, 401, 401, 401, 429])

        const second = (await post('/logout-everywhere', {}, cookie)).status
        expect(second).toBe(200)
        expect((await get('/me', cookie)).status).toBe(401)
      })
    })
  }
}
