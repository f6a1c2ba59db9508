import { describe, expect, it } from 'vitest'
import { rateLimitHeaders } from '../../src/limit/headers.ts'
import type { RateLimitResult } from '../../src/limit/result.ts'

const base = {
  pending: Promise.resolve(),
  limit: 2,
  policy: 'default',
} as const

const admitted: RateLimitResult = {
  ...base,
  success: true,
  remaining: 1,
  reset: 1_764_000_060_000,
  retryAfter: 0,
  policies: [
    {
      name: 'default',
      limit: 2,
      window: 60_000,
      success: true,
      remaining: 1,
      reset: 1_764_000_060_000,
      resetAfter: 59_001,
    },
  ],
}

describe('rateLimitHeaders', () => {
  it('writes the draft-10 RateLimit-Policy and RateLimit fields', () => {
    expect(rateLimitHeaders(admitted)).toEqual({
      'RateLimit-Policy': '"default";q=2;w=60',
      RateLimit: '"default";r=1;t=60',
    })
  })

  it('adds Retry-After on a denial, rounded up to whole seconds, and uses it as t', () => {
    const denied: RateLimitResult = { ...admitted, success: false, remaining: 0, retryAfter: 1_200 }
    expect(rateLimitHeaders(denied)).toEqual({
      'RateLimit-Policy': '"default";q=2;w=60',
      RateLimit: '"default";r=0;t=2',
      'Retry-After': '2',
    })
  })

  it('lists every limit in the policy and the binding one in RateLimit', () => {
    const result: RateLimitResult = {
      ...admitted,
      limit: 1000,
      remaining: 3,
      policy: 'per-day',
      policies: [
        {
          name: 'per-second',
          limit: 10,
          window: 1000,
          success: true,
          remaining: 9,
          reset: 0,
          resetAfter: 1000,
        },
        {
          name: 'per-day',
          limit: 1000,
          window: 86_400_000,
          success: true,
          remaining: 3,
          reset: 0,
          resetAfter: 3_600_000,
        },
      ],
    }
    expect(rateLimitHeaders(result)).toEqual({
      'RateLimit-Policy': '"per-second";q=10;w=1, "per-day";q=1000;w=86400',
      RateLimit: '"per-day";r=3;t=3600',
    })
  })

  it('sends the legacy X-RateLimit-* fields only on request, Reset in epoch seconds', () => {
    expect(rateLimitHeaders(admitted, { legacy: true })).toMatchObject({
      'X-RateLimit-Limit': '2',
      'X-RateLimit-Remaining': '1',
      'X-RateLimit-Reset': '1764000060',
    })
    expect(Object.keys(rateLimitHeaders(admitted))).not.toContain('X-RateLimit-Limit')
  })

  it('makes up no remaining count when the backend did not answer', () => {
    const timedOut: RateLimitResult = {
      ...base,
      success: false,
      remaining: 0,
      reset: 0,
      retryAfter: 1000,
      reason: 'timeout',
      policies: [{ name: 'default', limit: 2, window: 60_000 }],
    }
    expect(rateLimitHeaders(timedOut, { legacy: true })).toEqual({
      'RateLimit-Policy': '"default";q=2;w=60',
      'Retry-After': '1',
    })
  })

  it('escapes quotes and backslashes in policy names (RFC 9651 sf-string)', () => {
    const named: RateLimitResult = {
      ...admitted,
      policy: 'a"b\\c',
      policies: [{ ...admitted.policies[0]!, name: 'a"b\\c' }],
    }
    expect(rateLimitHeaders(named).RateLimit).toBe('"a\\"b\\\\c";r=1;t=60')
  })
})
