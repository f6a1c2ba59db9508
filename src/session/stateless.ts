/**
 * Stateless sessions: the whole session sealed into the cookie as a compact JWE (`dir` +
 * `A256GCM`, RFC 7516) with `jose`. The header names the key (`kid`); any configured secret opens a
 * cookie, the first one seals. Only `dir`/`A256GCM` is accepted on decrypt, so an attacker cannot
 * pick a weaker algorithm or a CPU-heavy one (PBES2). A cookie that would pass 4096 bytes is refused
 * with a `SessionError`: no silent truncation, no chunking.
 */
import { CompactEncrypt, compactDecrypt, type ProtectedHeaderParameters } from 'jose'
import { SessionError } from '../errors.ts'
import { COOKIE_LIMIT, type CookieSpec, serializeCookie } from './cookie.ts'
import { type AesKey, deriveKeys, type SessionKey, timingSafeEqual } from './keys.ts'
import type { Fields, InvalidReason, Loaded, Store } from './store.ts'

export interface StatelessConfig {
  readonly secrets: readonly Uint8Array[]
  readonly cookie: CookieSpec
  readonly idle: number
  readonly absolute: number
  readonly now: () => number
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const DECRYPT_OPTIONS = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] }

class UnknownKey extends Error {}

/** The payload: `a` absolute end and `e` idle end (epoch ms), `d` the fields. */
const plaintext = (fields: Fields, absoluteAt: number, expiresAt: number): Uint8Array => {
  let d = ''
  for (const [name, json] of fields) d += `${d ? ',' : ''}${JSON.stringify(name)}:${json}`
  return encoder.encode(`{"a":${absoluteAt},"e":${expiresAt},"d":{${d}}}`)
}

const parse = (bytes: Uint8Array): { a: number; e: number; fields: Fields } | undefined => {
  const payload: unknown = JSON.parse(decoder.decode(bytes))
  if (typeof payload !== 'object' || payload === null) return undefined
  const { a, e, d } = payload as { a?: unknown; e?: unknown; d?: unknown }
  if (typeof a !== 'number' || typeof e !== 'number' || typeof d !== 'object' || d === null) return undefined
  const fields: Fields = new Map()
  for (const [name, value] of Object.entries(d)) fields.set(name, JSON.stringify(value))
  return { a, e, fields }
}

const reasonOf = (error: unknown): InvalidReason => {
  if (error instanceof UnknownKey) return 'unknown-key'
  const code = (error as { code?: unknown } | null)?.code
  // A failed tag check, or a header naming an algorithm we do not accept.
  if (code === 'ERR_JWE_DECRYPTION_FAILED' || code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'tampered'
  return 'malformed'
}

/**
 * @example
 * const store = statelessStore({ secrets: checkSecrets(secret), cookie: cookieSpec(), idle, absolute, now: Date.now })
 */
export const statelessStore = (config: StatelessConfig): Store => {
  const { cookie, idle, absolute, now } = config
  // Derived on first use, then read without a promise hop.
  let derived: SessionKey[] | undefined
  let deriving: Promise<SessionKey[]> | undefined
  const getKeys = async (): Promise<SessionKey[]> => {
    if (derived) return derived
    deriving ??= deriveKeys(config.secrets, cookie.name)
    derived = await deriving
    return derived
  }

  const seal = async (fields: Fields, absoluteAt: number): Promise<Loaded> => {
    const at = now()
    const expiresAt = Math.min(at + idle, absoluteAt)
    const { kid, key } = (derived ?? (await getKeys()))[0]!
    const value = await new CompactEncrypt(plaintext(fields, absoluteAt, expiresAt))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(key)
    const maxAge = Math.floor((expiresAt - at) / 1000)
    // Every character of the line is ASCII (a token name, base64url, checked attributes).
    const size = serializeCookie(cookie, value, maxAge).length
    if (size > COOKIE_LIMIT) {
      throw new SessionError(
        `the session cookie would be ${size} bytes, over the ${COOKIE_LIMIT}-byte limit browsers enforce; keep less data in a stateless session (about 2.9 KB of JSON fits) or use stateful sessions`,
        { code: 'ERR_SESSION_TOO_LARGE' },
      )
    }
    return { value, fields, absoluteAt, maxAge, refresh: false }
  }

  const resolveKey = async (header: ProtectedHeaderParameters | undefined): Promise<AesKey> => {
    const kid = header?.kid
    const all = derived ?? (await getKeys())
    let found: AesKey | undefined
    // Looks at every key whatever matches, so timing does not tell which one did.
    for (const entry of all)
      if (typeof kid === 'string' && timingSafeEqual(entry.kid, kid)) found ??= entry.key
    if (!found) throw new UnknownKey()
    return found
  }

  return {
    mode: 'stateless',
    async load(value) {
      let opened: Awaited<ReturnType<typeof compactDecrypt>>
      let payload: ReturnType<typeof parse>
      try {
        opened = await compactDecrypt(value, resolveKey, DECRYPT_OPTIONS)
        payload = parse(opened.plaintext)
      } catch (error) {
        return reasonOf(error)
      }
      if (!payload) return 'malformed'
      const at = now()
      if (at >= payload.a || at >= payload.e) return 'expired'
      const rotated = opened.protectedHeader.kid !== derived![0]!.kid
      return {
        value,
        fields: payload.fields,
        absoluteAt: payload.a,
        maxAge: Math.floor((payload.e - at) / 1000),
        // Past half of the idle window, unless the absolute end already caps the cookie's life.
        refresh: rotated || (payload.e - at < idle / 2 && Math.min(at + idle, payload.a) > payload.e),
      }
    },
    create: (fields) => seal(fields, now() + absolute),
    update: (loaded, fields) => seal(fields, loaded.absoluteAt),
    touch: (loaded, fields) => seal(fields, loaded.absoluteAt),
    // Nothing is stored: clearing the cookie is all there is. A copy an attacker kept stays valid
    // until it expires, which is why stateful sessions are the default.
    destroy: async () => {},
    destroyAll: async () => {
      throw new TypeError(
        'destroyAll needs stateful sessions: a stateless cookie cannot be revoked before it expires',
      )
    },
  }
}
