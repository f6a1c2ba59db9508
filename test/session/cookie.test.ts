import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { type CookieOptions, cookieSpec, readCookie, serializeCookie } from '../../src/session/cookie.ts'

describe('cookieSpec', () => {
  it('defaults to a __Host- cookie with HttpOnly, Secure, SameSite=Lax and Path=/', () => {
    const spec = cookieSpec()
    expect(serializeCookie(spec, 'v', 1800)).toBe(
      '__Host-session=v; Max-Age=1800; Path=/; HttpOnly; Secure; SameSite=Lax',
    )
  })

  it('always writes a Max-Age, 0 to delete, never negative or fractional', () => {
    const spec = cookieSpec({ name: '__Host-sid', sameSite: 'strict' })
    expect(serializeCookie(spec, '', 0)).toBe(
      '__Host-sid=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    )
    expect(serializeCookie(spec, 'v', -5)).toContain('Max-Age=0;')
    expect(serializeCookie(spec, 'v', 9.9)).toContain('Max-Age=9;')
  })

  it('accepts an unprefixed cookie with a Domain and a Path', () => {
    const spec = cookieSpec({
      name: 'sid',
      domain: 'example.com',
      path: '/app',
      sameSite: 'none',
      partitioned: true,
    })
    expect(serializeCookie(spec, 'v', 60)).toBe(
      'sid=v; Max-Age=60; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=None; Partitioned',
    )
  })

  it('allows secure: false only on an unprefixed cookie, for plain-http development', () => {
    expect(serializeCookie(cookieSpec({ name: 'dev-sid', secure: false }), 'v', 1)).toBe(
      'dev-sid=v; Max-Age=1; Path=/; HttpOnly; SameSite=Lax',
    )
  })

  it.each([
    [{ domain: 'example.com' }, /__Host- cookie must not have a Domain/],
    [{ path: '/app' }, /__Host- cookie must have Path=\//],
    [{ secure: false }, /__Host- cookie must be Secure/],
    [{ name: '__Secure-sid', secure: false }, /__Secure- cookie must be Secure/],
    [{ name: 'sid', sameSite: 'none', secure: false }, /sameSite: 'none' needs a Secure cookie/],
    [{ name: 'sid', partitioned: true, secure: false }, /Partitioned cookie must be Secure/],
    [{ name: 'bad name' }, /not an RFC 6265 token/],
    [{ name: 'sid', path: 'app' }, /path must start with \//],
    [{ name: 'sid', path: '/a;b' }, /path must start with \/ and hold no ;/],
    [{ name: 'sid', domain: 'x.com; Secure' }, /domain must hold no ;/],
    [{ sameSite: 'loose' as 'lax' }, /sameSite must be 'lax', 'strict' or 'none'/],
  ] as [CookieOptions, RegExp][])(
    'refuses the unsafe combination %j with a ConfigError',
    (options, message) => {
      expect(() => cookieSpec(options)).toThrow(ConfigError)
      expect(() => cookieSpec(options)).toThrow(message)
    },
  )
})

describe('readCookie', () => {
  it('finds one cookie among several, ignoring spaces around pairs', () => {
    expect(readCookie('a=1;  __Host-session=abc ; b=2', '__Host-session')).toBe('abc')
  })

  it('takes the first of two cookies with the same name', () => {
    expect(readCookie('sid=first; sid=second', 'sid')).toBe('first')
  })

  it('unquotes a quoted value and keeps = inside a value', () => {
    expect(readCookie('sid="x=y"', 'sid')).toBe('x=y')
  })

  it('returns undefined when the cookie, or the header, is missing', () => {
    expect(readCookie(null, 'sid')).toBeUndefined()
    expect(readCookie('sidx=1; xsid=2; novalue', 'sid')).toBeUndefined()
  })
})
