/** The client suite on the memory backend inside workerd (Miniflare): no Node API, no server. */
import { beforeAll, describe } from 'vitest'
import type { CaseResult } from '../client/run-suite.ts'
import { reportCases, runInWorkerd } from './support/runners.ts'

describe('the client suite on the memory backend inside workerd', () => {
  let results: CaseResult[] = []
  beforeAll(async () => {
    results = await runInWorkerd<CaseResult[]>('./workerd/memory-worker.ts')
  }, 60_000)
  reportCases('workerd', () => results)
})
