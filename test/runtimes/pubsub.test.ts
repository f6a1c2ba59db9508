/**
 * The pub/sub cases inside the runtimes: workerd (TCP over `cloudflare:sockets`, and SSE through
 * the bridge), the edge-runtime VM (SSE), and Deno (TCP and SSE), against a real valkey-server and
 * the real bridge. Each case is reported as its own test.
 */
import { EdgeRuntime } from 'edge-runtime'
import { Miniflare } from 'miniflare'
import { beforeAll, describe, expect, it } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { type CaseResult, pubsubCases } from '../pubsub/cases.ts'
import { useValkey } from '../support/use-valkey.ts'
import { bundle, runDenoTest } from './support.ts'

const report = (runtime: string, results: () => CaseResult[], prefix = '') => {
  for (const testCase of pubsubCases) {
    const name = `${prefix}${testCase.name}`
    it(`${runtime}: ${name}`, () => {
      expect(results().find((r) => r.name === name)).toEqual({ name, ok: true })
    })
  }
}

const valkey = useValkey()
const bridge = useBridge(valkey)
const sseQuery = () => `mode=sse&url=${encodeURIComponent(bridge.url)}&token=${encodeURIComponent(TOKEN)}`

describe('pub/sub inside workerd', () => {
  let tcp: CaseResult[] = []
  let sse: CaseResult[] = []
  beforeAll(async () => {
    const mf = new Miniflare({
      modules: true,
      script: await bundle('./pubsub/workerd-worker.ts', 'esm'),
      compatibilityDate: '2025-01-01',
    })
    try {
      tcp = (await (
        await mf.dispatchFetch(`http://localhost/?mode=tcp&port=${valkey.server.port}`)
      ).json()) as CaseResult[]
      sse = (await (await mf.dispatchFetch(`http://localhost/?${sseQuery()}`)).json()) as CaseResult[]
    } finally {
      await mf.dispose()
    }
  }, 90_000)
  report('workerd TCP', () => tcp)
  report('workerd SSE', () => sse)
})

describe('pub/sub inside the edge-runtime VM (Vercel Edge)', () => {
  let results: CaseResult[] = []
  beforeAll(async () => {
    const runtime = new EdgeRuntime({ initialCode: await bundle('./pubsub/edge.ts', 'iife') })
    results = (await (await runtime.dispatchFetch(`http://localhost/?${sseQuery()}`)).json()) as CaseResult[]
  }, 60_000)
  report('edge-runtime SSE', () => results)
})

describe('pub/sub inside Deno', () => {
  let run: Awaited<ReturnType<typeof runDenoTest>> = { code: null, output: '', results: [] }
  beforeAll(async () => {
    run = await runDenoTest('test/runtimes/pubsub/deno.test.ts', {
      VALKEY_PORT: String(valkey.server.port),
      BRIDGE_URL: bridge.url,
      BRIDGE_TOKEN: TOKEN,
    })
  }, 120_000)
  report('deno', () => run.results, 'tcp: ')
  report('deno', () => run.results, 'sse: ')
  it('deno test exited 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
