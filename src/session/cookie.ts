/**
 * The session cookie: its options checked once against RFC 6265bis (draft-ietf-httpbis-rfc6265bis)
 * so an unsafe combination fails at startup, reading one cookie out of a `Cookie` header, and
 * writing the `Set-Cookie` line. Secure by default: `__Host-` prefix, `HttpOnly; Secure;
 * SameSite=Lax; Path=/`, always a `Max-Age`.
 */
import { ConfigError } from '../errors.ts'

export interface CookieOptions {
  /** Cookie name; default `__Host-session`. Without the `__Host-` prefix, pass `path` and maybe `domain`. */
  name?: string
  /** `lax` (default) sends the cookie on top-level navigations from other sites; `strict` never does. */
  sameSite?: 'lax' | 'strict' | 'none'
  /** Default `true`. `false` only for plain-http development, and only with an unprefixed name. */
  secure?: boolean
  /** Default `/`. A `__Host-` cookie must use `/`. */
  path?: string
  /** Default none (host-only). A `__Host-` cookie must not have one. */
  domain?: string
  /** CHIPS `Partitioned` attribute, for sessions inside third-party iframes; needs `sameSite: 'none'`. */
  partitioned?: boolean
}

/** Checked, complete cookie settings. */
export interface CookieSpec {
  readonly name: string
  /** Everything after `name=value` except `Max-Age`, e.g. `; Path=/; HttpOnly; Secure; SameSite=Lax`. */
  readonly attributes: string
}

/** RFC 6265bis caps Max-Age (and Expires) at 400 days; browsers clamp anything longer. */
export const MAX_AGE_LIMIT = 400 * 24 * 60 * 60

/** The most a browser stores for one cookie (name, value and attributes). */
export const COOKIE_LIMIT = 4096

// RFC 9110 `token`: the characters a cookie name may use.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// A path or domain attribute value must not end the attribute or the header.
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/

const fail = (message: string): never => {
  throw new ConfigError(message)
}

/**
 * Validates cookie options and fixes the attribute string once.
 *
 * @example
 * const spec = cookieSpec({ name: '__Host-sid', sameSite: 'strict' })
 * serializeCookie(spec, 'v', 600) // '__Host-sid=v; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Strict'
 */
export const cookieSpec = (options: CookieOptions = {}): CookieSpec => {
  const {
    name = '__Host-session',
    sameSite = 'lax',
    secure = true,
    path = '/',
    domain,
    partitioned,
  } = options
  if (!TOKEN.test(name))
    fail(`cookie name ${JSON.stringify(name)} is not an RFC 6265 token; use letters, digits and -_.`)
  if (!['lax', 'strict', 'none'].includes(sameSite)) {
    fail(`cookie sameSite must be 'lax', 'strict' or 'none', received ${JSON.stringify(sameSite)}`)
  }
  const host = name.toLowerCase().startsWith('__host-')
  const prefixed = host || name.toLowerCase().startsWith('__secure-')
  if (prefixed && !secure)
    fail(`a ${name.split('-')[0]}- cookie must be Secure; remove secure: false or rename the cookie`)
  if (host && domain !== undefined)
    fail('a __Host- cookie must not have a Domain; remove domain or rename the cookie')
  if (host && path !== '/') fail(`a __Host- cookie must have Path=/, received ${JSON.stringify(path)}`)
  if (sameSite === 'none' && !secure)
    fail("sameSite: 'none' needs a Secure cookie (browsers drop it otherwise)")
  if (partitioned && !secure) fail('a Partitioned cookie must be Secure')
  if (!path.startsWith('/') || !ATTRIBUTE_VALUE.test(path))
    fail(`cookie path must start with / and hold no ; or spaces`)
  if (domain !== undefined && !ATTRIBUTE_VALUE.test(domain)) fail('cookie domain must hold no ; or spaces')
  let attributes = `; Path=${path}`
  if (domain !== undefined) attributes += `; Domain=${domain}`
  attributes += '; HttpOnly'
  if (secure) attributes += '; Secure'
  attributes += `; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`
  if (partitioned) attributes += '; Partitioned'
  return { name, attributes }
}

/**
 * The `Set-Cookie` value. `maxAge` in seconds; 0 tells the browser to delete the cookie.
 *
 * @example
 * headers.append('Set-Cookie', serializeCookie(cookieSpec(), '', 0)) // clears __Host-session
 */
export const serializeCookie = (spec: CookieSpec, value: string, maxAge: number): string =>
  `${spec.name}=${value}; Max-Age=${Math.max(0, Math.floor(maxAge))}${spec.attributes}`

/**
 * The value of cookie `name` in a `Cookie` request header, or `undefined`. When the name appears
 * more than once the first wins (browsers send the most specific path first, RFC 6265 §5.4).
 *
 * @example
 * readCookie(request.headers.get('cookie'), '__Host-session') // 'abc' for 'a=1; __Host-session=abc'
 */
export const readCookie = (header: string | null, name: string): string | undefined => {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue
    let value = pair.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    return value
  }
  return undefined
}
