/**
 * The Sentinel client inside workerd (one discovery per request, over `cloudflare:sockets`) and
 * inside Deno (discovery, then following a planned failover), on real Sentinels.
 */
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SentinelSetup, startSentinels } from '../support/sentinel.ts'
import { bundle, runDenoTest } from './support/runners.ts'

let setup: SentinelSetup
beforeAll(async () => {
  setup = await startSentinels()
}, 60_000)
afterAll(() => setup?.stop())

describe('Sentinel inside other runtimes', () => {
  it('workerd: each request finds the primary and writes to it', async () => {
    const mf = new Miniflare({
      modules: true,
      script: await bundle('./workerd/sentinel-worker.ts', 'esm'),
      compatibilityDate: '2025-01-01',
      bindings: { SENTINEL_URL: setup.url },
    })
    try {
      for (const hits of [1, 2]) {
        const reply = await (await mf.dispatchFetch('http://localhost/')).json()
        expect(reply).toEqual({ hits, role: 'master', port: setup.nodes[0]!.port })
      }
    } finally {
      await mf.dispose()
    }
  }, 60_000)

  it('Deno: finds the primary and follows a planned failover', async () => {
    const run = await runDenoTest('test/runtimes/deno/sentinel.test.ts', {
      SENTINEL_URL: setup.url,
      SENTINEL_PORT: String(setup.sentinels[0]!.port),
    })
    expect(run.results, run.output.slice(-3000)).toEqual([
      { name: 'finds the primary, then follows a planned failover to the promoted replica', ok: true },
    ])
    expect(run.code).toBe(0)
  }, 120_000)
})
