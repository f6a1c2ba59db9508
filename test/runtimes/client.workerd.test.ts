/**
 * The client suite over TCP inside workerd: bundles `workerd/client-worker.ts`, runs it in
 * Miniflare with the Valkey port as a binding (`connect()` from `cloudflare:sockets` reaches the
 * loopback Valkey), and reports each case as its own test.
 */
import { beforeAll, describe } from 'vitest'
import type { CaseResult } from '../client/run-suite.ts'
import { useValkey } from '../support/use-valkey.ts'
import { reportCases, runInWorkerd } from './support/runners.ts'

describe('the client suite over TCP inside workerd', () => {
  const valkey = useValkey()
  let results: CaseResult[] = []
  beforeAll(async () => {
    results = await runInWorkerd<CaseResult[]>('./workerd/client-worker.ts', {
      bindings: { VALKEY_PORT: String(valkey.server.port) },
    })
  }, 60_000)
  reportCases('workerd', () => results)
})
