/**
 * The limiter on real Valkey over TCP: the shared suite (the Lua scripts), plus what only a real
 * server can show — EVALSHA with EVAL only after NOSCRIPT, a server frozen with SIGSTOP, a server
 * that is not there.
 */
import { describe, expect, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { scriptSha } from '../../src/client/script.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { createLimiter, fixedWindow, gcra, rateLimitHeaders, slidingWindow } from '../../src/limit/index.ts'
import { limitParams, limitScriptFor } from '../../src/limit/script.ts'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useValkey } from '../support/use-valkey.ts'
import { freePort } from '../support/valkey.ts'
import { limiterSuite } from './limiter.suite.ts'

const valkey = useValkey()

limiterSuite('Valkey over TCP', () => createTcpClient({ url: valkey.url, connect }))

/**
 * Runs `call` next to a plain timer of `timeout` ms started at the same moment, and says how late
 * the answer came after that timer fired. "Within timeout + 50 ms" is measured against the
 * runtime's own timers, so it holds on a loaded machine, where every timer fires late.
 */
const timed = async <T>(call: () => Promise<T>, timeout: number) => {
  let fired = 0
  const started = performance.now()
  const timer = setTimeout(() => {
    fired = performance.now()
  }, timeout)
  const result = await call()
  const answered = performance.now()
  clearTimeout(timer)
  return { result, late: fired === 0 ? 0 : answered - fired, waited: answered - started }
}

const commandCalls = (stats: string, command: string): number => {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)
  return match ? Number(match[1]) : 0
}

describe('limiter on Valkey: scripts and failures', () => {
  it('writes one script per shape of limiter, loaded under the SHA1 EVALSHA sends', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const script = limitScriptFor([slidingWindow(10, '10 s'), fixedWindow(100, '1 h')], 0)
    // Other parameters are the same shape; another order or a block duration is another.
    expect(limitScriptFor([slidingWindow(11, '20 s'), fixedWindow(5, '1 d')], 0)).toBe(script)
    expect(limitScriptFor([fixedWindow(100, '1 h'), slidingWindow(10, '10 s')], 0)).not.toBe(script)
    expect(limitScriptFor([slidingWindow(10, '10 s'), fixedWindow(100, '1 h')], 5000)).not.toBe(script)
    // Only the algorithms it uses, each limit reading its parameters from its own ARGV slots.
    expect(script.lua.match(/local function step\d/g)).toEqual([
      'local function step2',
      'local function step1',
    ])
    expect(script.lua).toContain('local x1, y1, z1 = tonumber(ARGV[1]), tonumber(ARGV[2]), 0')
    expect(script.lua).toContain('local x2, y2, z2 = tonumber(ARGV[3]), tonumber(ARGV[4]), 0')
    expect(limitParams([slidingWindow(10, '10 s'), gcra(5, '1 m', { burst: 2 })], 30_000)).toEqual([
      '10',
      '10000',
      '5',
      '60000',
      '2',
      '30000',
    ])
    expect(await client.send(['SCRIPT', 'LOAD', script.lua])).toBe(await scriptSha(script))
    // The largest: 16 limits of three parameters and a block key still compile (Lua allows 200 locals).
    const largest = limitScriptFor(
      Array.from({ length: 16 }, (_, i) => gcra(1, `${i + 1} s`)),
      1000,
    )
    expect(await client.send(['SCRIPT', 'LOAD', largest.lua])).toBe(await scriptSha(largest))
    await client.close()
  })

  it('runs one EVALSHA per decision, and EVAL only once after the script cache was flushed', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const limiter = createLimiter({ client, limits: slidingWindow(100, '1 m'), blockCache: false })
    valkey.server.cli('SCRIPT', 'FLUSH')
    valkey.server.cli('CONFIG', 'RESETSTAT')
    for (let i = 0; i < 20; i++) expect((await limiter.limit('sha')).success).toBe(true)
    const stats = valkey.server.cli('INFO', 'commandstats')
    expect(commandCalls(stats, 'evalsha')).toBe(20)
    expect(commandCalls(stats, 'eval')).toBe(1)
    await client.close()
  })

  it('answers within timeout + 50 ms by the policy while Valkey is stopped (SIGSTOP), then recovers', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const allow = createLimiter({ client, limits: fixedWindow(5, '1 m'), timeout: 200, onTimeout: 'allow' })
    const deny = createLimiter({ client, limits: fixedWindow(5, '1 m'), timeout: 200, onTimeout: 'deny' })
    // The calls below must share one minute of the server clock.
    await clearOfWindowEdge(60_000, 5000)
    expect((await allow.limit('paused')).success).toBe(true)
    valkey.server.pause()
    try {
      for (const [limiter, success] of [
        [allow, true],
        [deny, false],
      ] as const) {
        const { result, late, waited } = await timed(() => limiter.limit('paused'), 200)
        expect(late).toBeLessThan(50)
        expect(waited).toBeGreaterThanOrEqual(195)
        expect(result).toMatchObject({ success, reason: 'timeout', limit: 5, remaining: 0 })
        expect(result.retryAfter).toBe(success ? 0 : 1000)
        expect(rateLimitHeaders(result).RateLimit).toBeUndefined()
      }
    } finally {
      valkey.server.resume()
    }
    // The timed-out calls were queued on the connection and land once the server runs again.
    const after = await allow.limit('paused')
    expect(after.reason).toBeUndefined()
    expect(after).toMatchObject({ success: true, remaining: 1 })
    await client.close()
  })

  it('answers by the policy, without throwing, when nothing listens at the address', async () => {
    const port = await freePort()
    const client = createTcpClient({ url: `redis://127.0.0.1:${port}`, connect, reconnect: { attempts: 1 } })
    const limiter = createLimiter({ client, limits: fixedWindow(5, '1 m'), timeout: 300, onTimeout: 'deny' })
    const { result, late } = await timed(() => limiter.limit('nobody'), 300)
    expect(late).toBeLessThan(50)
    expect(result.success).toBe(false)
    expect(['timeout', 'error']).toContain(result.reason)
    expect(await result.pending).toBeUndefined()
    await client.close()
  })

  it('answers by the policy when the backend refuses the script (reason error)', async () => {
    const client = createTcpClient({ url: valkey.url, connect })
    const limiter = createLimiter({
      client,
      limits: fixedWindow(5, '1 m'),
      onTimeout: 'allow',
      prefix: 'wrongtype',
    })
    await client.send(['HSET', '{wrongtype:u}:fw:60000', 'f', 'v'])
    const result = await limiter.limit('u')
    expect(result).toMatchObject({ success: true, reason: 'error' })
    expect((result.error as Error).message).toMatch(/WRONGTYPE/)
    await client.close()
  })
})
