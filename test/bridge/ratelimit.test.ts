/**
 * The real `@upstash/ratelimit` 2.2 runs on stock Valkey through the bridge: its scripts start
 * with `#!lua flags=allow-key-locking`, which the bridge strips, and the SHA alias keeps every
 * warm `limit()` at one EVALSHA, read from Valkey's own `INFO commandstats`.
 */
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import { describe, expect, it } from 'vitest'
import { clearOfWindowEdge } from '../support/clock.ts'
import { useValkey } from '../support/use-valkey.ts'
import { TOKEN, useBridge } from './support.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)

const redis = () => new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })

const limiter = (limiter: ConstructorParameters<typeof Ratelimit>[0]['limiter'], prefix: string) =>
  new Ratelimit({ redis: redis(), limiter, prefix, ephemeralCache: false })

/** `cmdstat_<name>` calls from INFO commandstats, 0 when absent. */
const calls = (name: string): number => {
  const line = valkey.server
    .cli('INFO', 'commandstats')
    .split('\n')
    .find((l) => l.startsWith(`cmdstat_${name}:`))
  return line ? Number(/calls=(\d+)/.exec(line)![1]) : 0
}

describe('@upstash/ratelimit 2.2 through the bridge', () => {
  const algorithms = [
    ['fixedWindow', Ratelimit.fixedWindow(3, '30 s')],
    ['slidingWindow', Ratelimit.slidingWindow(3, '30 s')],
    ['tokenBucket', Ratelimit.tokenBucket(1, '30 s', 3)],
  ] as const

  for (const [name, algorithm] of algorithms) {
    it(`${name}: allows 3, denies the 4th, reports what remains, and resets`, async () => {
      const rl = limiter(algorithm, `rl:${name}`)
      // Its windows follow the caller's clock, and its sliding window floors the previous
      // window's weight, so a 4th call just past a boundary would pass in two of the three.
      await clearOfWindowEdge(30_000)
      const results = []
      for (let i = 0; i < 4; i++) results.push(await rl.limit('user-1'))
      expect(results.map((r) => r.success)).toEqual([true, true, true, false])
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0])
      expect(results[0]!.limit).toBe(3)
      expect(results[3]!.reset).toBeGreaterThan(Date.now())
      expect((await rl.getRemaining('user-1')).remaining).toBe(0)
      expect((await rl.getRemaining('user-2')).remaining).toBe(3)
      await rl.resetUsedTokens('user-1')
      expect((await rl.getRemaining('user-1')).remaining).toBe(3)
      expect((await rl.limit('user-1')).success).toBe(true)
    })
  }

  it('costs one EVALSHA per limit() once warm (INFO commandstats)', async () => {
    for (const [name, algorithm] of algorithms) {
      valkey.server.cli('SCRIPT', 'FLUSH')
      const rl = limiter(algorithm, `rl:stats:${name}`)
      // Warm-up: the first call meets NOSCRIPT and falls back to EVAL once.
      expect((await rl.limit('warm')).success).toBe(true)
      valkey.server.cli('CONFIG', 'RESETSTAT')
      for (let i = 0; i < 10; i++) await rl.limit(`id-${i}`)
      expect({ name, evalsha: calls('evalsha'), eval: calls('eval') }).toEqual({ name, evalsha: 10, eval: 0 })
      expect(valkey.server.cli('INFO', 'commandstats')).toMatch(/cmdstat_evalsha:calls=10,.*failed_calls=0/)
    }
  })
})
