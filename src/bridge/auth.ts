/**
 * Token authentication: `Authorization: Bearer <token>` or `?_token=<token>`, as the Upstash REST
 * API takes it. Every configured token is compared, in time that depends only on the configured
 * tokens' lengths, so neither which token matched nor how much of a guess was right leaks.
 */

/** What a request may do: everything, read commands only, or nothing (401). */
export type Access = 'full' | 'read-only' | 'none'

export interface AuthOptions {
  tokens: readonly string[]
  readOnlyTokens?: readonly string[]
}

/** Compares `given` with `secret` without an early exit; the loop runs over `secret`'s length. */
export const constantTimeEqual = (given: string, secret: string): boolean => {
  let diff = given.length ^ secret.length
  for (let i = 0; i < secret.length; i++) {
    diff |= (i < given.length ? given.charCodeAt(i) : 0) ^ secret.charCodeAt(i)
  }
  return diff === 0
}

/** Takes the token from `Authorization: Bearer ...` first, then from `_token`. */
export const tokenOf = (authorization: string | null | undefined, queryToken: string | undefined): string => {
  if (authorization) {
    // The common exact form without a regular expression; anything else goes the careful way.
    if (authorization.startsWith('Bearer ') && authorization.indexOf(' ', 7) === -1)
      return authorization.slice(7)
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization)
    return match ? match[1]! : ''
  }
  return queryToken ?? ''
}

/**
 * Builds the access check. Tokens must be non-empty; a token listed both as full and read-only is
 * a configuration mistake and throws, because which one wins would be a guess.
 *
 * @example
 * const access = createAuth({ tokens: ['s3cret'], readOnlyTokens: ['r3ad'] })
 * access('s3cret') // 'full'
 * access('nope') // 'none'
 */
export const createAuth = ({ tokens, readOnlyTokens = [] }: AuthOptions): ((token: string) => Access) => {
  if (tokens.length + readOnlyTokens.length === 0) {
    throw new TypeError(
      'the bridge needs at least one token: pass --token <secret> (or set FLOODGATE_TOKENS)',
    )
  }
  for (const token of [...tokens, ...readOnlyTokens]) {
    if (token.length < 8 || /\s/.test(token)) {
      throw new TypeError(
        'every token must be at least 8 characters long without whitespace; generate one with `openssl rand -hex 32`',
      )
    }
    if (tokens.includes(token) && readOnlyTokens.includes(token)) {
      throw new TypeError('a token is listed both as a full token and as a read-only token; list it once')
    }
  }
  const full = [...tokens]
  const readOnly = [...readOnlyTokens]
  return function access(token) {
    let isFull = false
    let isReadOnly = false
    for (const secret of full) isFull = constantTimeEqual(token, secret) || isFull
    for (const secret of readOnly) isReadOnly = constantTimeEqual(token, secret) || isReadOnly
    return isFull ? 'full' : isReadOnly ? 'read-only' : 'none'
  }
}
