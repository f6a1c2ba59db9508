/**
 * Keys for stateless sessions. Each secret (at least 32 bytes) goes through HKDF-SHA-256 once, into
 * a non-extractable AES-256-GCM `CryptoKey` and a public key id (`kid`). Deriving per request
 * would cost ~210 µs (bench notes), so the keys are derived on first use and kept.
 */
import { ConfigError } from '../errors.ts'

/** A secret as text (UTF-8) or bytes; at least 32 bytes of it, random. */
export type Secret = string | Uint8Array

/** WebCrypto's `CryptoKey`, spelled without DOM typings. */
export type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

export interface SessionKey {
  /** Public identifier put in the JWE header, so decrypt picks the key without trying each one. */
  readonly kid: string
  readonly key: AesKey
}

export const MIN_SECRET_BYTES = 32

const encoder = new TextEncoder()

export const base64url = (bytes: Uint8Array): string => {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Checks the secrets without ever putting one in a message (only its position and length). */
export const checkSecrets = (secrets: Secret | readonly Secret[] | undefined): Uint8Array[] => {
  const list = secrets === undefined ? [] : Array.isArray(secrets) ? secrets : [secrets as Secret]
  if (list.length === 0) {
    throw new ConfigError(
      'stateless sessions need `secrets`: one or more random strings of at least 32 bytes',
    )
  }
  return list.map((secret, i) => {
    const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret
    if (!(bytes instanceof Uint8Array))
      throw new ConfigError(`secrets[${i}] must be a string or a Uint8Array`)
    if (bytes.byteLength < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `secrets[${i}] is ${bytes.byteLength} bytes; use at least ${MIN_SECRET_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`,
      )
    }
    return bytes
  })
}

/**
 * Derives one key per secret: HKDF-SHA-256 with the cookie name as salt (a cookie sealed for one
 * name does not open under another) gives 40 bytes: 32 for AES-256-GCM and 8 for the `kid`.
 */
export const deriveKeys = async (secrets: readonly Uint8Array[], salt: string): Promise<SessionKey[]> =>
  Promise.all(
    secrets.map(async (secret) => {
      // NOTE: the cast satisfies lib.dom's BufferSource (ArrayBuffer-backed) under Deno's type check.
      const ikm = await crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, 'HKDF', false, [
        'deriveBits',
      ])
      const bits = new Uint8Array(
        await crypto.subtle.deriveBits(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            salt: encoder.encode(salt),
            info: encoder.encode('floodgate session A256GCM v1'),
          },
          ikm,
          320,
        ),
      )
      const key = await crypto.subtle.importKey('raw', bits.subarray(0, 32), 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ])
      return { kid: base64url(bits.subarray(32)), key }
    }),
  )

/** Compares two strings in time that depends only on their lengths, not on where they differ. */
export const timingSafeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
