/**
 * The Worker bundle as wrangler builds it (`wrangler deploy --dry-run --minify`): floodgate's
 * share of a Worker using rateLimit() and session() over the bridge stays under 50 KB, hono and
 * jose excluded. `npm run bench worker-bundle` prints the breakdown and the peer's size.
 */
import { describe, expect, it } from 'vitest'
import { measureWorker } from '../../bench/worker-bundle/measure.ts'

describe('the Worker bundle', () => {
  it('holds under 50 KB of floodgate (minified) for rateLimit + session over the bridge', () => {
    const size = measureWorker('bench/worker-bundle/floodgate-worker.ts')
    expect(size.floodgate).toBeGreaterThan(10_000)
    expect(size.floodgate).toBeLessThan(50 * 1024)
    expect(size.hono).toBeGreaterThan(0)
    // No other package at all, so nothing of express or fastify either (see edge-bundles.test.ts).
    expect(size.packages).toEqual({})
    // It limits with slidingWindow() only: the other algorithms' steps (Lua and TypeScript, 3.5 KB
    // together) stay out, since the limit script takes its steps from the limits it is given.
    expect(size.files['src/limit/sliding-window.ts']).toBeGreaterThan(1000)
    for (const other of ['fixed-window', 'token-bucket', 'gcra']) {
      expect(size.files[`src/limit/${other}.ts`]).toBeUndefined()
    }
  }, 60_000)
})
