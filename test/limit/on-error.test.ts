/**
 * A limiter that falls back on `onTimeout` says so: every failure goes to `onError`, and without
 * one, each kind of failure is warned of once per process, with no secret in the line. The
 * backend is a real bridge in front of a real Valkey, given a wrong token.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHttpClient } from '../../src/client/http/client.ts'
import { ConfigError } from '../../src/errors.ts'
import { createLimiter, slidingWindow } from '../../src/limit/index.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const WRONG = 'wrong-token-5f1c9a0b7d'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('a limiter whose backend fails', () => {
  it('hands every failure to onError and answers by onTimeout', async () => {
    const errors: unknown[] = []
    const limiter = createLimiter({
      client: createHttpClient({ url: bridge.url, token: WRONG }),
      limits: slidingWindow(5, '1 m'),
      onTimeout: 'deny',
      onError: (error) => errors.push(error),
    })
    const results = [await limiter.limit('a'), await limiter.limit('b')]
    expect(results.map((r) => [r.success, r.reason])).toEqual([
      [false, 'error'],
      [false, 'error'],
    ])
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(ConfigError)
    expect(results[0]!.error).toBe(errors[0])
  })

  it('without onError, warns once per kind of error, naming the cause but not the token', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const wrong = createLimiter({
      client: createHttpClient({ url: bridge.url, token: WRONG }),
      limits: slidingWindow(5, '1 m'),
    })
    for (const id of ['a', 'b', 'c'])
      expect(await wrong.limit(id)).toMatchObject({ success: true, reason: 'error' })
    expect(warn).toHaveBeenCalledTimes(1)
    const line = String(warn.mock.calls[0]![0])
    expect(line).toMatch(/answered with onTimeout 'allow'.*refused the token \(HTTP 401\)/)
    expect(line).not.toContain(WRONG)
    expect(line).not.toContain(TOKEN)

    // Another kind of failure is warned of once too; a working limiter warns of nothing.
    const wrongType = createLimiter({
      client: createHttpClient({ url: bridge.url, token: TOKEN }),
      limits: slidingWindow(5, '1 m'),
      prefix: 'on-error',
    })
    valkey.server.cli('HSET', '{on-error:x}:sw:60000', 'f', 'v')
    for (let i = 0; i < 2; i++) expect(await wrongType.limit('x')).toMatchObject({ reason: 'error' })
    expect(await wrongType.limit('y')).toMatchObject({ success: true, remaining: 4 })
    expect(warn).toHaveBeenCalledTimes(2)
    expect(String(warn.mock.calls[1]![0])).toMatch(/WRONGTYPE/)
  })

  it('still answers when onError throws', async () => {
    const limiter = createLimiter({
      client: createHttpClient({ url: bridge.url, token: WRONG }),
      limits: slidingWindow(5, '1 m'),
      onError: () => {
        throw new Error('a broken handler')
      },
    })
    expect(await limiter.limit('a')).toMatchObject({ success: true, reason: 'error' })
    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    expect(() => createLimiter({ client, limits: slidingWindow(1, '1 s'), onError: 1 as never })).toThrow(
      'createLimiter: onError must be a function, received number',
    )
  })
})
