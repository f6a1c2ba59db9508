/**
 * The client suite over HTTP inside the runtimes: workerd (Miniflare), the edge-runtime VM (Vercel
 * Edge) and Deno, against the real bridge in front of a real valkey-server. The workerd and edge
 * bundles are built with esbuild and answer with one result per case; Deno runs `deno test` and
 * its TAP lines are read. Each case is reported as its own test.
 */

import { EdgeRuntime } from 'edge-runtime'
import { beforeAll, describe } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import type { CaseResult } from '../client/run-suite.ts'
import { useValkey } from '../support/use-valkey.ts'
import { bundle, reportCases, runInWorkerd, useDenoSuite } from './support/runners.ts'

const suiteUrl = (bridgeUrl: string) =>
  `http://localhost/?url=${encodeURIComponent(bridgeUrl)}&token=${encodeURIComponent(TOKEN)}`

describe('the client suite over HTTP inside workerd', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let results: CaseResult[] = []
  beforeAll(async () => {
    results = await runInWorkerd<CaseResult[]>('./workerd/http-worker.ts', { url: suiteUrl(bridge.url) })
  }, 60_000)
  reportCases('workerd', () => results)
})

describe('the client suite over HTTP inside the edge-runtime VM (Vercel Edge)', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let results: CaseResult[] = []
  beforeAll(async () => {
    const runtime = new EdgeRuntime({ initialCode: await bundle('./edge/http-edge.ts', 'iife') })
    const response = await runtime.dispatchFetch(suiteUrl(bridge.url))
    results = (await response.json()) as CaseResult[]
  }, 60_000)
  reportCases('edge-runtime', () => results)
})

describe('the client suite over HTTP inside Deno', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  useDenoSuite('test/runtimes/deno/http-client.test.ts', () => ({
    BRIDGE_URL: bridge.url,
    BRIDGE_TOKEN: TOKEN,
  }))
})
