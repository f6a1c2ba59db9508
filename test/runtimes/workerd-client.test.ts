/**
 * The client suite over TCP inside workerd: bundles `workerd/client-worker.ts`, runs it in
 * Miniflare with the Valkey port as a binding (`connect()` from `cloudflare:sockets` reaches the
 * loopback Valkey), and reports each case as its own test.
 */
import { Miniflare } from 'miniflare'
import { beforeAll, describe } from 'vitest'
import type { CaseResult } from '../client/run-suite.ts'
import { useValkey } from '../support/use-valkey.ts'
import { bundle, reportCases } from './support.ts'

describe('the client suite over TCP inside workerd', () => {
  const valkey = useValkey()
  let results: CaseResult[] = []
  beforeAll(async () => {
    const mf = new Miniflare({
      modules: true,
      script: await bundle('./workerd/client-worker.ts', 'esm'),
      compatibilityDate: '2025-01-01',
      bindings: { VALKEY_PORT: String(valkey.server.port) },
    })
    try {
      results = (await (await mf.dispatchFetch('http://localhost/')).json()) as CaseResult[]
    } finally {
      await mf.dispose()
    }
  }, 60_000)
  reportCases('workerd', () => results)
})
