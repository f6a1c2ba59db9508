import { describe, expect, it } from 'vitest'
import { constantTimeEqual, createAuth, tokenOf } from '../../src/bridge/auth.ts'

describe('constantTimeEqual', () => {
  it('is true only for identical strings', () => {
    expect(constantTimeEqual('secret-token', 'secret-token')).toBe(true)
    expect(constantTimeEqual('secret-tokeN', 'secret-token')).toBe(false)
    expect(constantTimeEqual('secret-token-longer', 'secret-token')).toBe(false)
    expect(constantTimeEqual('secret', 'secret-token')).toBe(false)
    expect(constantTimeEqual('', 'secret-token')).toBe(false)
  })
})

describe('tokenOf', () => {
  it('reads a Bearer header first, then the _token query parameter', () => {
    expect(tokenOf('Bearer abc', 'q')).toBe('abc')
    expect(tokenOf('bearer   abc  ', undefined)).toBe('abc')
    expect(tokenOf(undefined, 'from-query')).toBe('from-query')
    expect(tokenOf('Basic abc', 'q')).toBe('')
    expect(tokenOf(null, undefined)).toBe('')
  })
})

describe('createAuth', () => {
  const access = createAuth({ tokens: ['full-token-1', 'full-token-2'], readOnlyTokens: ['read-token-1'] })

  it('grants full access to every full token and read-only access to read-only tokens', () => {
    expect(access('full-token-1')).toBe('full')
    expect(access('full-token-2')).toBe('full')
    expect(access('read-token-1')).toBe('read-only')
    expect(access('full-token-3')).toBe('none')
    expect(access('')).toBe('none')
  })

  it('refuses configurations that would be unsafe or ambiguous', () => {
    expect(() => createAuth({ tokens: [] })).toThrow(/at least one token/)
    expect(() => createAuth({ tokens: ['short'] })).toThrow(/at least 8 characters/)
    expect(() => createAuth({ tokens: ['has a space'] })).toThrow(/whitespace/)
    expect(() => createAuth({ tokens: ['same-token'], readOnlyTokens: ['same-token'] })).toThrow(/both/)
  })

  it('never puts a token in its error messages', () => {
    try {
      createAuth({ tokens: ['secret!!'], readOnlyTokens: ['secret!!'] })
    } catch (error) {
      expect(String(error)).not.toContain('secret!!')
    }
    expect.assertions(1)
  })
})
