/**
 * The client suite inside workerd: bundles `workerd/client-worker.ts` with esbuild, runs it in
 * Miniflare with the Valkey port as a binding, and reports each case as its own test.
 */
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientSuite } from '../client/suite.ts'
import { useValkey } from '../support/use-valkey.ts'
import type { CaseResult } from './workerd/client-worker.ts'

describe('the client suite over TCP inside workerd', () => {
  const valkey = useValkey()
  let results: CaseResult[] = []

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [new URL('./workerd/client-worker.ts', import.meta.url).pathname],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      external: ['cloudflare:sockets'],
      write: false,
    })
    const mf = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0]!.text,
      compatibilityDate: '2025-01-01',
      bindings: { VALKEY_PORT: String(valkey.server.port) },
    })
    try {
      const response = await mf.dispatchFetch('http://localhost/')
      results = (await response.json()) as CaseResult[]
    } finally {
      await mf.dispose()
    }
  }, 60_000)

  for (const testCase of clientSuite) {
    it(testCase.name, () => {
      expect(results.find((r) => r.name === testCase.name)).toEqual({ name: testCase.name, ok: true })
    })
  }
})
