import { hkdfSync } from 'node:crypto'
import { CompactEncrypt, decodeProtectedHeader } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConfigError, SessionError } from '../../src/errors.ts'
import { createSessions, type InvalidReason, type StatelessOptions } from '../../src/index.ts'
import { manualClock, maxAgeOf, pairOf, request, SECRET_A, SECRET_B, SECRET_C, setCookie } from './helpers.ts'

type Data = { userId: string; views: number; cart: string[]; blob: string }

const setup = (options: Partial<StatelessOptions> = {}) => {
  const clock = manualClock()
  const invalid: InvalidReason[] = []
  const sessions = createSessions<Data>({
    mode: 'stateless',
    secrets: SECRET_A,
    idleTimeout: 100,
    absoluteTimeout: 250,
    onInvalid: (reason) => invalid.push(reason),
    now: clock.now,
    ...options,
  })
  return { sessions, clock, invalid }
}

/** A cookie pair holding `{ userId: 'u1' }` sealed by `sessions`. */
const issue = async (sessions: ReturnType<typeof setup>['sessions']) => {
  const session = await sessions.load(request())
  session.set('userId', 'u1')
  return pairOf(setCookie(await session.commit()))
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

/** Loads `value` as the cookie of fresh sessions under SECRET_A: the session and the onInvalid calls. */
const probe = async (value: string) => {
  const calls: InvalidReason[] = []
  const sessions = createSessions<Data>({
    mode: 'stateless',
    secrets: SECRET_A,
    onInvalid: (r) => calls.push(r),
  })
  return { session: await sessions.load(request(`__Host-session=${value}`)), calls }
}

describe('stateless sessions', () => {
  afterEach(() => vi.restoreAllMocks())

  it('seals the data into a __Host- JWE cookie and reads it back', async () => {
    const { sessions, invalid } = setup()
    const first = await sessions.load(request())
    expect(first.isNew).toBe(true)
    first.set('userId', 'u1')
    first.set('cart', ['apple', 'pear'])
    const line = setCookie(await first.commit())
    expect(line).toMatch(
      /^__Host-session=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=100; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    const second = await sessions.load(request(pairOf(line)))
    expect(second.isNew).toBe(false)
    expect(second.all()).toEqual({ userId: 'u1', cart: ['apple', 'pear'] })
    expect(invalid).toEqual([])
  })

  it('uses dir + A256GCM with a kid in the protected header', async () => {
    const { sessions } = setup()
    const jwe = (await issue(sessions)).split('=')[1]!
    const header = decodeProtectedHeader(jwe)
    expect(header).toEqual({ alg: 'dir', enc: 'A256GCM', kid: expect.stringMatching(/^[\w-]{11}$/) })
  })

  it('sends no cookie for an untouched new session or an unchanged one', async () => {
    const { sessions, clock } = setup()
    expect((await (await sessions.load(request())).commit()).getSetCookie()).toEqual([])
    const cookie = await issue(sessions)
    clock.advance(10_000)
    const session = await sessions.load(request(cookie))
    session.set('userId', 'u1')
    expect((await session.commit()).getSetCookie()).toEqual([])
  })

  it('re-sends the cookie once the idle window has moved past half', async () => {
    const { sessions, clock } = setup()
    const cookie = await issue(sessions)
    clock.advance(49_000)
    expect(setCookie(await (await sessions.load(request(cookie))).commit())).toBeUndefined()
    clock.advance(2_000)
    const line = setCookie(await (await sessions.load(request(cookie))).commit())
    expect(maxAgeOf(line)).toBe(100)
    expect((await sessions.load(request(pairOf(line)))).get('userId')).toBe('u1')
  })

  it('notices an in-place change of an object value', async () => {
    const { sessions } = setup()
    const first = await sessions.load(request())
    first.set('cart', ['apple'])
    const cookie = pairOf(setCookie(await first.commit()))
    const second = await sessions.load(request(cookie))
    second.get('cart')!.push('pear')
    const line = setCookie(await second.commit())
    expect((await sessions.load(request(pairOf(line)))).get('cart')).toEqual(['apple', 'pear'])
  })

  it('ends an idle session: a fresh session, one onInvalid("expired"), the cookie cleared', async () => {
    const { sessions, clock, invalid } = setup()
    const cookie = await issue(sessions)
    clock.advance(100_000)
    const session = await sessions.load(request(cookie))
    expect(session.isNew).toBe(true)
    expect(session.get('userId')).toBeUndefined()
    expect(invalid).toEqual(['expired'])
    expect(setCookie(await session.commit())).toBe(
      '__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
  })

  it('enforces the absolute lifetime though the session stays busy', async () => {
    const { sessions, clock, invalid } = setup()
    let cookie = await issue(sessions)
    let views = 0
    for (let t = 40_000; t < 250_000; t += 40_000) {
      clock.advance(40_000)
      const session = await sessions.load(request(cookie))
      expect(session.get('userId')).toBe('u1')
      session.set('views', ++views)
      const line = setCookie(await session.commit())
      // The cookie never outlives the absolute end: Max-Age shrinks to what is left of it.
      expect(maxAgeOf(line)).toBe(Math.min(100, (250_000 - t) / 1000))
      cookie = pairOf(line)
    }
    // Near the absolute end a read re-sends nothing: the cookie's life cannot grow any more.
    clock.advance(5_000)
    expect(setCookie(await (await sessions.load(request(cookie))).commit())).toBeUndefined()
    clock.advance(35_000)
    const late = await sessions.load(request(cookie))
    expect(late.isNew).toBe(true)
    expect(invalid).toEqual(['expired'])
  })

  it('destroy() clears the cookie; regenerate() re-issues it with a new absolute lifetime', async () => {
    const { sessions, clock } = setup()
    const cookie = await issue(sessions)
    const gone = await sessions.load(request(cookie))
    gone.destroy()
    expect(gone.get('userId')).toBeUndefined()
    expect(maxAgeOf(setCookie(await gone.commit()))).toBe(0)

    clock.advance(90_000)
    const touched = pairOf(setCookie(await (await sessions.load(request(cookie))).commit()))
    clock.advance(90_000)
    const renewed = await sessions.load(request(touched))
    renewed.regenerate()
    const line = setCookie(await renewed.commit())
    expect(pairOf(line)).not.toBe(touched)
    clock.advance(90_000) // t = 270 s: past the first absolute end (250 s), within the new one
    expect((await sessions.load(request(pairOf(line)))).get('userId')).toBe('u1')
  })

  it('rotation: a cookie sealed with A opens under [B, A] and is re-issued under B', async () => {
    const a = setup({ secrets: SECRET_A })
    const cookie = await issue(a.sessions)
    const rotated = setup({ secrets: [SECRET_B, SECRET_A] })
    const session = await rotated.sessions.load(request(cookie))
    expect(session.get('userId')).toBe('u1')
    const line = setCookie(await session.commit())
    expect(line).toBeDefined()
    expect(rotated.invalid).toEqual([])
    const onlyB = setup({ secrets: SECRET_B })
    expect((await onlyB.sessions.load(request(pairOf(line)))).get('userId')).toBe('u1')
    expect(decodeProtectedHeader(pairOf(line).split('=')[1]!).kid).not.toBe(
      decodeProtectedHeader(cookie.split('=')[1]!).kid,
    )
    // The old cookie does not open once A is dropped.
    expect((await onlyB.sessions.load(request(cookie))).isNew).toBe(true)
    expect(onlyB.invalid).toEqual(['unknown-key'])
  })

  it('a cookie sealed with another secret is unknown-key; the same secret under another cookie name does not open', async () => {
    const { sessions } = setup()
    const cookie = await issue(sessions)
    const other = setup({ secrets: SECRET_C })
    expect((await other.sessions.load(request(cookie))).isNew).toBe(true)
    expect(other.invalid).toEqual(['unknown-key'])
    const renamed = setup({ cookie: { name: '__Host-other' } })
    const value = cookie.split('=')[1]!
    expect((await renamed.sessions.load(request(`__Host-other=${value}`))).isNew).toBe(true)
    expect(renamed.invalid).toEqual(['unknown-key'])
  })

  it('tampering with any byte of any region yields a fresh session and exactly one onInvalid call', async () => {
    const { sessions } = setup()
    const value = (await issue(sessions)).split('=')[1]!
    const parts = value.split('.')
    expect(parts).toHaveLength(5)
    expect(parts[1]).toBe('') // dir: no encrypted key
    let checked = 0
    for (const region of [0, 2, 3, 4]) {
      const bytes = Buffer.from(parts[region]!, 'base64url')
      for (let i = 0; i < bytes.length; i++) {
        const flipped = Buffer.from(bytes)
        flipped[i]! ^= 0x01
        const forged = parts.map((part, j) => (j === region ? b64(flipped) : part)).join('.')
        const { session, calls } = await probe(forged)
        expect(session.isNew).toBe(true)
        expect(session.all()).toEqual({})
        expect(calls).toHaveLength(1)
        expect(['tampered', 'malformed', 'unknown-key']).toContain(calls[0])
        if (region !== 0) expect(calls[0]).toBe('tampered')
        checked++
      }
    }
    expect(checked).toBeGreaterThan(60)
  })

  it('truncated, reordered or garbage cookies are malformed or tampered, never a throw', async () => {
    const { sessions } = setup()
    const value = (await issue(sessions)).split('=')[1]!
    const parts = value.split('.')
    const cases = [
      value.slice(0, -1),
      value.slice(0, value.length / 2),
      parts.slice(0, 4).join('.'),
      [parts[0], '', parts[3], parts[2], parts[4]].join('.'),
      `${value}.x`,
      'not-a-jwe',
      '....',
      '%00%ff',
      `${'e'.repeat(5000)}`,
    ]
    for (const forged of cases) {
      const { session, calls } = await probe(forged)
      expect(session.isNew).toBe(true)
      expect(calls.length).toBe(1)
      expect(['tampered', 'malformed']).toContain(calls[0])
      expect(maxAgeOf(setCookie(await session.commit()))).toBe(0)
    }
  })

  it('accepts only dir + A256GCM: the same key under A256KW, another enc, or PBES2 is refused', async () => {
    const key = new Uint8Array(
      hkdfSync('sha256', SECRET_A, '__Host-session', 'floodgate session A256GCM v1', 40),
    )
    const kid = b64(key.subarray(32))
    const payload = new TextEncoder().encode(JSON.stringify({ a: 4e12, e: 4e12, d: { userId: 'admin' } }))
    // Control: our own derivation, sealed the expected way, opens (so the refusals below are about the algorithm).
    const good = await new CompactEncrypt(payload)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(key.subarray(0, 32))
    const forged = [
      await new CompactEncrypt(payload)
        .setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM', kid })
        .encrypt(key.subarray(0, 32)),
      await new CompactEncrypt(payload)
        .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid })
        .encrypt(key.subarray(0, 16)),
      await new CompactEncrypt(payload)
        .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', kid })
        .encrypt(new TextEncoder().encode(SECRET_A)),
    ]
    const calls: InvalidReason[] = []
    const sessions = createSessions<Data>({
      mode: 'stateless',
      secrets: SECRET_A,
      onInvalid: (r) => calls.push(r),
    })
    expect((await sessions.load(request(`__Host-session=${good}`))).get('userId')).toBe('admin')
    for (const jwe of forged) {
      expect((await sessions.load(request(`__Host-session=${jwe}`))).isNew).toBe(true)
    }
    expect(calls).toEqual(['tampered', 'tampered', 'tampered'])
  })

  it('refuses a cookie over 4096 bytes with a SessionError naming the size; 2.8 KB fits', async () => {
    const { sessions } = setup()
    const fits = await sessions.load(request())
    fits.set('blob', 'x'.repeat(2800))
    const line = setCookie(await fits.commit())!
    expect(line.length).toBeLessThanOrEqual(4096)
    const big = await sessions.load(request())
    big.set('blob', 'x'.repeat(3200))
    const error = await big.commit().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionError)
    expect((error as SessionError).code).toBe('ERR_SESSION_TOO_LARGE')
    expect((error as SessionError).message).toMatch(/would be 4\d{3} bytes, over the 4096-byte limit/)
  })

  it('refuses secrets shorter than 32 bytes, and an empty list, with a ConfigError', () => {
    expect(() => createSessions({ mode: 'stateless', secrets: 'short-secret' })).toThrow(ConfigError)
    expect(() => createSessions({ mode: 'stateless', secrets: [SECRET_A, 'x'.repeat(31)] })).toThrow(
      /secrets\[1\] is 31 bytes; use at least 32/,
    )
    expect(() => createSessions({ mode: 'stateless', secrets: [] })).toThrow(ConfigError)
  })

  it('destroyAll is refused in stateless mode: a cookie cannot be revoked early', async () => {
    const { sessions } = setup()
    await expect(sessions.destroyAll('u1')).rejects.toThrow(/destroyAll needs stateful sessions/)
  })

  it('by default reports an invalid cookie with one console.warn naming only the reason', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const sessions = createSessions({ mode: 'stateless', secrets: SECRET_A })
    const forged = `eyJhbGciOiJkaXIifQ..${SECRET_B}`
    const session = await sessions.load(request(`__Host-session=${forged}`))
    expect(session.isNew).toBe(true)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(
      /^floodgate: ignored an invalid session cookie \((malformed|tampered)\)/,
    )
    expect(String(warn.mock.calls[0])).not.toContain(SECRET_B)
  })

  it('keeps secrets out of every error and log line', async () => {
    const lines: string[] = []
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation(
        (...args: unknown[]) => void lines.push(args.map(String).join(' ')),
      )
    }
    const errors: unknown[] = []
    const attempt = async (fn: () => unknown) => {
      try {
        await fn()
      } catch (error) {
        errors.push(error)
      }
    }
    const short = SECRET_A.slice(0, 31)
    await attempt(() => createSessions({ mode: 'stateless', secrets: short }))
    await attempt(() => createSessions({ mode: 'stateless', secrets: [SECRET_A, short] }))
    await attempt(() => createSessions({ mode: 'stateless', secrets: SECRET_A, cookie: { domain: 'x.com' } }))
    const sessions = createSessions({ mode: 'stateless', secrets: [SECRET_A, SECRET_B] })
    const session = await sessions.load(request(`__Host-session=${SECRET_A}`))
    session.set('blob', 'y'.repeat(5000))
    await attempt(() => session.commit())
    await attempt(() => sessions.destroyAll('u1'))
    await sessions.load(request('__Host-session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoieCJ9.....'))
    expect(errors).toHaveLength(5)
    expect(lines.length).toBeGreaterThan(0)
    const text = [
      ...errors.map((e) => `${(e as Error).message} ${(e as Error).stack} ${JSON.stringify(e)}`),
      ...lines,
    ].join('\n')
    for (const secret of [SECRET_A, SECRET_B, short]) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(Buffer.from(secret).toString('base64'))
    }
  })

  it('types the data: keys and value types are checked at compile time', async () => {
    const { sessions } = setup()
    const session = await sessions.load(request())
    session.set('views', 1)
    // @ts-expect-error views is a number
    session.set('views', 'one')
    // @ts-expect-error no such key in Data
    session.get('nope')
    const views: number | undefined = session.get('views')
    expect(views).toBe('one')
  })

  it('applyTo adds the cookie to a response, copying one whose headers are immutable', async () => {
    const { sessions } = setup()
    const session = await sessions.load(request())
    session.set('userId', 'u1')
    const redirect = await session.applyTo(Response.redirect('https://app.example/home', 303))
    expect(redirect.status).toBe(303)
    expect(redirect.headers.get('location')).toBe('https://app.example/home')
    expect(redirect.headers.getSetCookie()).toHaveLength(1)
    const again = await session.applyTo(new Response('ok'))
    expect(again.headers.getSetCookie()).toEqual([])
  })
})
