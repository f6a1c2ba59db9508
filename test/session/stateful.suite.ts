/**
 * The stateful session suite, parameterised by a client factory so the same assertions run on
 * real Valkey, on the memory backend and (later) on a Valkey Cluster.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { Client, Script } from '../../src/client/types.ts'
import { createSessions, type InvalidReason, type StatefulOptions } from '../../src/index.ts'
import { manualClock, maxAgeOf, pairOf, request, setCookie } from './helpers.ts'

type Data = { userId: string; views: number; cart: string[]; a: string; b: string }

export interface Backend {
  /** A client on a backend holding no sessions from other tests (a fresh prefix is used anyway). */
  client(): Client
}

/** A Client that records the calls going through it. */
export const recording = (inner: Client) => {
  const calls: string[] = []
  const client: Client = {
    kind: inner.kind,
    send: (command, options) => {
      calls.push(String(command[0]))
      return inner.send(command, options)
    },
    pipeline: (commands, options) => {
      calls.push(`pipeline(${commands.length})`)
      return inner.pipeline(commands, options)
    },
    eval: (script: Script, keys, args, options) => {
      calls.push(script.name)
      return inner.eval(script, keys, args, options)
    },
    close: () => inner.close(),
  }
  return { client, calls }
}

const sha256 = async (id: string) =>
  Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id))).toString('base64url')

let prefixes = 0

export const statefulSuite = (name: string, backend: Backend): void => {
  describe(`stateful sessions on ${name}`, () => {
    const setup = (options: Partial<StatefulOptions<Data>> = {}) => {
      const { client, calls } = recording(backend.client())
      const invalid: InvalidReason[] = []
      const prefix = `t${++prefixes}:`
      const sessions = createSessions<Data>({
        client,
        prefix,
        userKey: 'userId',
        onInvalid: (reason) => invalid.push(reason),
        ...options,
      })
      const keyOf = async (cookie: string) => `${prefix}{${await sha256(cookie.split('=')[1]!)}}`
      const raw = (...command: (string | number)[]) => client.send(command)
      return { sessions, client, calls, invalid, prefix, keyOf, raw }
    }

    /** Logs `userId` in on a new session and returns its cookie pair. */
    const login = async (s: ReturnType<typeof setup>, userId = 'u1') => {
      const session = await s.sessions.load(request())
      session.set('userId', userId)
      session.regenerate()
      return pairOf(setCookie(await session.commit()))
    }

    it('stores nothing and sends no cookie until data is set', async () => {
      const s = setup()
      const session = await s.sessions.load(request())
      expect(session.isNew).toBe(true)
      expect((await session.commit()).getSetCookie()).toEqual([])
      expect(s.calls).toEqual([])
    })

    it('puts a random 256-bit id in the cookie and the data under the SHA-256 of it, with the idle TTL', async () => {
      const s = setup({ idleTimeout: 600 })
      const session = await s.sessions.load(request())
      session.set('views', 1)
      session.set('cart', ['apple'])
      const line = setCookie(await session.commit())
      expect(line).toMatch(/^__Host-session=[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
      const key = await s.keyOf(pairOf(line))
      const stored = (await s.raw('HGETALL', key)) as string[]
      expect(stored).toContain('d:views')
      expect(stored[stored.indexOf('d:cart') + 1]).toBe('["apple"]')
      expect(JSON.stringify(stored)).not.toContain(pairOf(line).split('=')[1])
      const ttl = (await s.raw('PTTL', key)) as number
      expect(ttl).toBeGreaterThan(595_000)
      expect(ttl).toBeLessThanOrEqual(600_000)
      const other = await s.sessions.load(request())
      other.set('views', 1)
      expect(pairOf(setCookie(await other.commit()))).not.toBe(pairOf(line))
    })

    it('loads with HGETALL + PTTL in one tick and saves with one script; an unchanged session writes nothing', async () => {
      const s = setup()
      const first = await s.sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      s.calls.length = 0
      const session = await s.sessions.load(request(cookie))
      expect(s.calls).toEqual(['HGETALL', 'PTTL'])
      expect(session.get('views')).toBe(1)
      session.set('views', 1) // same value: not a change
      expect((await session.commit()).getSetCookie()).toEqual([])
      expect(s.calls).toEqual(['HGETALL', 'PTTL'])
      session.set('views', 2)
      const line = setCookie(await session.commit())
      expect(maxAgeOf(line)).toBe(1800)
      expect(s.calls).toEqual(['HGETALL', 'PTTL', 'updateSession'])
      expect((await s.sessions.load(request(cookie))).get('views')).toBe(2)
    })

    it('slides the idle window, key and cookie together, once more than half of it has passed', async () => {
      const s = setup({ idleTimeout: 2 })
      const first = await s.sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      expect(setCookie(await (await s.sessions.load(request(cookie))).commit())).toBeUndefined()
      await new Promise((resolve) => setTimeout(resolve, 1100))
      s.calls.length = 0
      const line = setCookie(await (await s.sessions.load(request(cookie))).commit())
      expect(s.calls).toEqual(['HGETALL', 'PTTL', 'PEXPIRE'])
      expect(pairOf(line)).toBe(cookie)
      expect(maxAgeOf(line)).toBe(2)
      expect((await s.raw('PTTL', await s.keyOf(cookie))) as number).toBeGreaterThan(1500)
      // A session destroyed between a sliding load and its commit is not brought back.
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const sliding = await s.sessions.load(request(cookie))
      await s.raw('DEL', await s.keyOf(cookie))
      expect((await sliding.commit()).getSetCookie()).toEqual([])
      expect(s.invalid).toEqual(['revoked'])
      expect(await s.raw('EXISTS', await s.keyOf(cookie))).toBe(0)
    })

    it('an idled-out session: a fresh session, one onInvalid("not-found"), the cookie cleared', async () => {
      const s = setup({ idleTimeout: 1 })
      const first = await s.sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      await new Promise((resolve) => setTimeout(resolve, 1100))
      const session = await s.sessions.load(request(cookie))
      expect(session.isNew).toBe(true)
      expect(session.get('views')).toBeUndefined()
      expect(s.invalid).toEqual(['not-found'])
      expect(maxAgeOf(setCookie(await session.commit()))).toBe(0)
    })

    it('enforces the absolute lifetime though the session stays busy, and deletes the key', async () => {
      const clock = manualClock(Date.now())
      const s = setup({ idleTimeout: 100, absoluteTimeout: 250, now: clock.now })
      let cookie = await login(s)
      for (let t = 40_000, views = 1; t < 250_000; t += 40_000, views++) {
        clock.advance(40_000)
        const session = await s.sessions.load(request(cookie))
        expect(session.get('userId')).toBe('u1')
        session.set('views', views)
        const line = setCookie(await session.commit())
        expect(maxAgeOf(line)).toBe(Math.min(100, (250_000 - t) / 1000))
        expect((await s.raw('PTTL', await s.keyOf(cookie))) as number).toBeLessThanOrEqual(
          Math.min(100_000, 250_000 - t),
        )
        cookie = pairOf(line)
      }
      // Near the absolute end a read re-sends nothing: the cookie's life cannot grow any more.
      clock.advance(5_000)
      expect(setCookie(await (await s.sessions.load(request(cookie))).commit())).toBeUndefined()
      clock.advance(35_000)
      const late = await s.sessions.load(request(cookie))
      expect(late.isNew).toBe(true)
      expect(s.invalid).toEqual(['expired'])
      expect(await s.raw('EXISTS', await s.keyOf(cookie))).toBe(0)
    })

    it.each([
      ['an unknown id', 'x'.repeat(43), 'not-found'],
      ['a short id', 'abc', 'malformed'],
      ['an id with bad characters', `${'x'.repeat(42)}!`, 'malformed'],
      ['an empty value', '', 'malformed'],
    ])('%s: a fresh session, one onInvalid, the cookie cleared', async (_, value, reason) => {
      const s = setup()
      const session = await s.sessions.load(request(`__Host-session=${value}`))
      expect(session.isNew).toBe(true)
      expect(s.invalid).toEqual([reason])
      expect(setCookie(await session.commit())).toBe(
        '__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      )
    })

    it('regenerate() moves the data to a new id and deletes the old one', async () => {
      const s = setup()
      const first = await s.sessions.load(request())
      first.set('cart', ['apple'])
      const before = pairOf(setCookie(await first.commit()))
      const session = await s.sessions.load(request(before))
      session.set('userId', 'u1')
      session.regenerate()
      const after = pairOf(setCookie(await session.commit()))
      expect(after).not.toBe(before)
      expect(await s.raw('HGETALL', await s.keyOf(before))).toEqual(['m:retired', '1'])
      expect((await s.sessions.load(request(after))).all()).toEqual({ cart: ['apple'], userId: 'u1' })
      // A request that raced the change still carries the old cookie: a fresh session, reported as
      // replaced, and no Set-Cookie that would clear the new cookie in the browser.
      const late = await s.sessions.load(request(before))
      expect(late.isNew).toBe(true)
      expect(s.invalid).toEqual(['replaced'])
      expect((await late.commit()).getSetCookie()).toEqual([])
      const ttl = (await s.raw('PTTL', await s.keyOf(before))) as number
      expect(ttl).toBeGreaterThan(50_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
    })

    it('a request that loaded the old id before regenerate() drops its write and leaves the cookie alone', async () => {
      const s = setup()
      const cookie = await login(s)
      const racing = await s.sessions.load(request(cookie))
      const signIn = await s.sessions.load(request(cookie))
      signIn.regenerate()
      const renewed = pairOf(setCookie(await signIn.commit()))
      racing.set('cart', ['lost'])
      expect((await racing.commit()).getSetCookie()).toEqual([])
      expect(s.invalid).toEqual(['revoked'])
      expect((await s.sessions.load(request(renewed))).all()).toEqual({ userId: 'u1' })
      expect(await s.raw('HEXISTS', await s.keyOf(cookie), 'd:cart')).toBe(0)
    })

    it('destroy() deletes the key and clears the cookie; data set afterwards starts a new session', async () => {
      const s = setup()
      const cookie = await login(s)
      const session = await s.sessions.load(request(cookie))
      session.destroy()
      expect(maxAgeOf(setCookie(await session.commit()))).toBe(0)
      expect(await s.raw('EXISTS', await s.keyOf(cookie))).toBe(0)
      const again = await s.sessions.load(request(cookie))
      again.destroy()
      again.set('cart', ['flash'])
      const line = setCookie(await again.commit())
      expect(pairOf(line)).not.toBe(cookie)
      expect((await s.sessions.load(request(pairOf(line)))).all()).toEqual({ cart: ['flash'] })
    })

    it('deleting every field deletes the session', async () => {
      const s = setup()
      const first = await s.sessions.load(request())
      first.set('views', 1)
      const cookie = pairOf(setCookie(await first.commit()))
      const session = await s.sessions.load(request(cookie))
      session.delete('views')
      expect(maxAgeOf(setCookie(await session.commit()))).toBe(0)
      expect(await s.raw('EXISTS', await s.keyOf(cookie))).toBe(0)
    })

    it('signs a user with three sessions out everywhere, leaving other users alone', async () => {
      const s = setup()
      const phones = [await login(s, 'u1'), await login(s, 'u1'), await login(s, 'u1')]
      const other = await login(s, 'u2')
      const index = `${s.prefix}user:{u1}`
      expect(await s.raw('ZCARD', index)).toBe(3)
      const ttl = (await s.raw('PTTL', index)) as number
      expect(ttl).toBeGreaterThan(7 * 24 * 3600_000 - 60_000)
      expect(await s.sessions.destroyAll('u1')).toBe(3)
      for (const cookie of phones) expect((await s.sessions.load(request(cookie))).isNew).toBe(true)
      expect(s.invalid).toEqual(['not-found', 'not-found', 'not-found'])
      expect((await s.sessions.load(request(other))).get('userId')).toBe('u2')
      expect(await s.raw('EXISTS', index)).toBe(0)
      expect(await s.sessions.destroyAll('u1')).toBe(0)
    })

    it('keeps the user index in step with regenerate, destroy, logout and a change of user', async () => {
      const s = setup()
      const index = (user: string) => `${s.prefix}user:{${user}}`
      const members = async (user: string) => ((await s.raw('ZRANGE', index(user), 0, -1)) as string[]).sort()
      const hash = async (cookie: string) => (await s.keyOf(cookie)).slice(s.prefix.length + 1, -1)
      const cookie = await login(s)
      expect(await members('u1')).toEqual([await hash(cookie)])
      const session = await s.sessions.load(request(cookie))
      session.regenerate()
      const renewed = pairOf(setCookie(await session.commit()))
      expect(await members('u1')).toEqual([await hash(renewed)])
      const switched = await s.sessions.load(request(renewed))
      switched.set('userId', 'u2')
      await switched.commit()
      expect(await members('u1')).toEqual([])
      expect(await members('u2')).toEqual([await hash(renewed)])
      const logout = await s.sessions.load(request(renewed))
      logout.delete('userId')
      logout.set('cart', [])
      await logout.commit()
      expect(await members('u2')).toEqual([])
      const relogin = await s.sessions.load(request(renewed))
      relogin.set('userId', 'u3')
      await relogin.commit()
      const end = await s.sessions.load(request(renewed))
      end.destroy()
      await end.commit()
      expect(await members('u3')).toEqual([])
    })

    it('does not recreate a session destroyed while a request was using it', async () => {
      const s = setup()
      const cookie = await login(s)
      const session = await s.sessions.load(request(cookie))
      expect(await s.sessions.destroyAll('u1')).toBe(1)
      session.set('views', 9)
      expect((await session.commit()).getSetCookie()).toEqual([])
      expect(s.invalid).toEqual(['revoked'])
      expect(await s.raw('EXISTS', await s.keyOf(cookie))).toBe(0)
    })

    it('destroyAll cannot be escaped by a request that loaded the session before it, then regenerate()', async () => {
      const s = setup()
      const cookie = await login(s)
      const racing = await s.sessions.load(request(cookie))
      expect(await s.sessions.destroyAll('u1')).toBe(1)
      racing.set('views', 1)
      racing.regenerate()
      expect((await racing.commit()).getSetCookie()).toEqual([])
      expect(s.invalid).toEqual(['revoked'])
      expect(racing.isNew).toBe(true)
      expect(await s.raw('ZCARD', `${s.prefix}user:{u1}`)).toBe(0)
      expect(await s.sessions.destroyAll('u1')).toBe(0)
      expect((await s.sessions.load(request(cookie))).isNew).toBe(true)
    })

    it('destroyAll that takes the index while a regenerate() is between its writes still wins', async () => {
      const s = setup()
      const cookie = await login(s)
      // The destroyAll runs after the new session's hash is written and before the index moves.
      let hooked = false
      const { client } = recording(backend.client())
      const racingClient: Client = {
        ...client,
        eval: async (script, keys, args, options) => {
          if (script.name === 'indexSession' && keys.length === 2 && !hooked) {
            hooked = true
            expect(await s.sessions.destroyAll('u1')).toBe(1)
          }
          return client.eval(script, keys, args, options)
        },
      }
      const invalid: InvalidReason[] = []
      const racingSessions = createSessions<Data>({
        client: racingClient,
        prefix: s.prefix,
        userKey: 'userId',
        onInvalid: (reason) => invalid.push(reason),
      })
      const racing = await racingSessions.load(request(cookie))
      racing.regenerate()
      expect((await racing.commit()).getSetCookie()).toEqual([])
      expect(hooked).toBe(true)
      expect(invalid).toEqual(['revoked'])
      expect(await s.raw('ZCARD', `${s.prefix}user:{u1}`)).toBe(0)
      expect(await s.sessions.destroyAll('u1')).toBe(0)
    })

    it('a session destroyed or expired while a request used it cannot be regenerated back to life', async () => {
      const s = setup()
      for (const end of ['destroy', 'expire'] as const) {
        const cookie = await login(s)
        const racing = await s.sessions.load(request(cookie))
        if (end === 'destroy') {
          const other = await s.sessions.load(request(cookie))
          other.destroy()
          await other.commit()
        } else await s.raw('DEL', await s.keyOf(cookie))
        racing.set('cart', ['x'])
        racing.regenerate()
        expect((await racing.commit()).getSetCookie()).toEqual([])
      }
      expect(s.invalid).toEqual(['revoked', 'revoked'])
      expect(await s.raw('ZCARD', `${s.prefix}user:{u1}`)).toBe(0)
    })

    it('destroyAll needs userKey', async () => {
      const s = setup({ userKey: undefined })
      await expect(s.sessions.destroyAll('u1')).rejects.toThrow(/needs the `userKey` option/)
    })

    it('keeps both writes of parallel requests that change different fields', async () => {
      const s = setup()
      const first = await s.sessions.load(request())
      first.set('views', 1)
      first.set('a', 'a0')
      first.set('b', 'b0')
      const cookie = pairOf(setCookie(await first.commit()))
      // Two real HTTP requests; each loads, waits until the other has loaded too, then changes its
      // own field: writing back the whole session it read would undo the other's change.
      let arrived = 0
      let release: () => void = () => {}
      const bothLoaded = new Promise<void>((resolve) => {
        release = resolve
      })
      const handler = async (req: Request): Promise<Response> => {
        const session = await s.sessions.load(req)
        if (++arrived === 2) release()
        await bothLoaded
        const field = new URL(req.url).pathname === '/a' ? 'a' : 'b'
        session.set(field, `written by ${field}`)
        session.set('views', (session.get('views') ?? 0) + 1)
        return session.applyTo(new Response(field))
      }
      const server: Server = createServer(async (incoming, outgoing) => {
        const req = new Request(`http://127.0.0.1${incoming.url}`, {
          headers: incoming.headers.cookie ? { cookie: incoming.headers.cookie } : {},
        })
        const res = await handler(req)
        outgoing.writeHead(res.status, [...res.headers])
        outgoing.end(await res.text())
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = server.address() as AddressInfo
        const [a, b] = await Promise.all(
          ['/a', '/b'].map((path) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } })),
        )
        expect([await a!.text(), await b!.text()]).toEqual(['a', 'b'])
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
      const after = await s.sessions.load(request(cookie))
      expect(after.get('a')).toBe('written by a')
      expect(after.get('b')).toBe('written by b')
      expect(after.get('views')).toBe(2) // the same field: the last writer wins
    })

    it('keeps field names and values of any shape', async () => {
      const s = setup()
      const session = await s.sessions.load(request())
      const strange = { 'd:x': 1, 'm:abs': 'not metadata', 'é 🚀': { nested: [1, null, 'two'] }, '': true }
      for (const [key, value] of Object.entries(strange)) session.set(key as 'a', value as unknown as string)
      const cookie = pairOf(setCookie(await session.commit()))
      expect((await s.sessions.load(request(cookie))).all()).toEqual(strange)
    })
  })
}
