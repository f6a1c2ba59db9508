/** The pub/sub cases inside the edge-runtime VM (Vercel Edge), over SSE through the real bridge. */
import { EdgeRuntime } from 'edge-runtime'
import { beforeAll, describe } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import type { CaseResult } from '../pubsub/cases.ts'
import { useValkey } from '../support/use-valkey.ts'
import { reportPubsub } from './support/pubsub-report.ts'
import { bundle } from './support/runners.ts'

describe('pub/sub inside the edge-runtime VM (Vercel Edge)', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let results: CaseResult[] = []
  beforeAll(async () => {
    const runtime = new EdgeRuntime({ initialCode: await bundle('./edge/pubsub-edge.ts', 'iife') })
    const url = `http://localhost/?url=${encodeURIComponent(bridge.url)}&token=${encodeURIComponent(TOKEN)}`
    results = (await (await runtime.dispatchFetch(url)).json()) as CaseResult[]
  }, 60_000)
  reportPubsub('SSE', () => results)
})
