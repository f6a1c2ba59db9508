/** The client suite on the memory backend inside workerd (Miniflare): no Node API, no server. */
import { Miniflare } from 'miniflare'
import { beforeAll, describe } from 'vitest'
import type { CaseResult } from '../client/run-suite.ts'
import { bundle, reportCases } from './support.ts'

describe('the client suite on the memory backend inside workerd', () => {
  let results: CaseResult[] = []
  beforeAll(async () => {
    const mf = new Miniflare({
      modules: true,
      script: await bundle('./workerd/memory-worker.ts', 'esm'),
      compatibilityDate: '2025-01-01',
    })
    try {
      results = (await (await mf.dispatchFetch('http://localhost/')).json()) as CaseResult[]
    } finally {
      await mf.dispose()
    }
  }, 60_000)
  reportCases('workerd', () => results)
})
