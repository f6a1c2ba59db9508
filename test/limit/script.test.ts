/**
 * The limit script as built from the descriptors it is given: each `slidingWindow(...)`,
 * `fixedWindow(...)`, `tokenBucket(...)` or `gcra(...)` carries its own Lua and TypeScript step,
 * so a bundle carries only the algorithms it uses (test/package/worker-bundle.test.ts checks the
 * bundle), while every shape keeps the exact script it had.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { scriptSha } from '../../src/client/script.ts'
import type { Algorithm } from '../../src/limit/algorithm.ts'
import { createLimiter, fixedWindow, gcra, slidingWindow, tokenBucket } from '../../src/limit/index.ts'
import { limitScriptFor } from '../../src/limit/script.ts'

describe('limitScriptFor', () => {
  // Valkey caches a script under the SHA1 of its text, and every deployed limiter of a shape
  // EVALSHAs that SHA: a shape whose text changed would be loaded anew by every app on upgrade,
  // and two versions side by side would fill the cache with two scripts for one shape. These
  // SHA1s were taken (node:crypto, over the Lua text) from script.ts as it was before the steps
  // moved onto the descriptors, when it picked them from a table of all four algorithms; they
  // are constants, not computed here, so the test holds the text to the old one byte for byte.
  // A deliberate change to the script's Lua updates them.
  it.each<[string, Algorithm[], number, string]>([
    ['sliding window', [slidingWindow(10, '10 s')], 0, '509704ae1d201e7e400aa0103b609f87335bb738'],
    ['fixed window', [fixedWindow(10, '10 s')], 0, '8d5401745a236179f9535825c13b05a859398d4f'],
    ['token bucket', [tokenBucket(1, '1 s', 10)], 0, '73eaadfbde3472fd2e2f87057655f6722b7723a4'],
    ['GCRA', [gcra(10, '1 s')], 0, '54d73d454436d7e5af0083c10f96315ef3441414'],
    [
      'sliding and fixed window with a block duration',
      [slidingWindow(10, '10 s'), fixedWindow(100, '1 h')],
      5000,
      '39deb6f6ec587fcf8062db2b094874f990549fe6',
    ],
    [
      'all four, GCRA twice',
      [
        gcra(1, '1 s'),
        tokenBucket(1, '1 s', 10),
        slidingWindow(10, '1 s'),
        fixedWindow(5, '1 m'),
        gcra(2, '2 s'),
      ],
      0,
      '2115b632a3bad4e3a60591ec3a2763644cd7aee2',
    ],
  ])('writes the same Lua as before for %s', async (_, limits, blockFor, sha) => {
    expect(await scriptSha(limitScriptFor(limits, blockFor))).toBe(sha)
  })

  it('writes only the steps of the algorithms given, once each, in order of first use', () => {
    const lua = limitScriptFor([gcra(1, '1 s'), slidingWindow(5, '1 m'), gcra(2, '1 m')], 0).lua
    expect(lua.match(/local function step\d/g)).toEqual(['local function step4', 'local function step2'])
    // Each algorithm's first line of Lua: GCRA's and the sliding window's, not the others'.
    expect(lua).toContain('local rate, period, burst = a, b, c')
    expect(lua).toContain('local idx = floor(now / window)\n  local elapsed')
    expect(lua).not.toContain('local rate, interval, max_tokens')
    expect(lua).not.toContain('local window_end')
  })
})

describe('algorithm descriptors', () => {
  it('leave their steps out of JSON, which lists the documented fields only', () => {
    const json = JSON.parse(JSON.stringify(gcra(10, '1 s', { burst: 20 })))
    expect(json).toEqual({
      kind: 'gcra',
      code: 4,
      params: [10, 1000, 20],
      key: 'gcra:1000:10',
      limit: 20,
      window: 2000,
      name: '20-per-2s',
    })
  })

  it('keep their steps through a spread copy: a renamed copy limits as the original', async () => {
    const limiter = createLimiter({
      client: createMemoryClient(),
      limits: { ...slidingWindow(2, '1 m'), name: 'two-a-minute' },
      blockCache: false,
    })
    const results = [await limiter.limit('u'), await limiter.limit('u'), await limiter.limit('u')]
    expect(results.map((r) => [r.success, r.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ])
    expect(limiter.limits[0]!.name).toBe('two-a-minute')
  })

  it('are refused by createLimiter when read back from JSON, with the factories named', () => {
    const copy = JSON.parse(JSON.stringify(slidingWindow(2, '1 m'))) as Algorithm
    expect(() => createLimiter({ client: createMemoryClient(), limits: copy })).toThrow(
      new TypeError(
        'createLimiter: limits must be one or more of fixedWindow(), slidingWindow(), tokenBucket(), gcra()',
      ),
    )
  })
})
