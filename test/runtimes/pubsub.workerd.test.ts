/**
 * The pub/sub cases inside workerd (Miniflare): over TCP with `cloudflare:sockets`, and over SSE
 * through the real bridge, against a real valkey-server.
 */
import { beforeAll, describe } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import type { CaseResult } from '../pubsub/cases.ts'
import { useValkey } from '../support/use-valkey.ts'
import { reportPubsub } from './support/pubsub-report.ts'
import { runInWorkerd } from './support/runners.ts'

describe('pub/sub inside workerd', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let tcp: CaseResult[] = []
  let sse: CaseResult[] = []
  beforeAll(async () => {
    tcp = await runInWorkerd<CaseResult[]>('./workerd/pubsub-worker.ts', {
      url: `http://localhost/?mode=tcp&port=${valkey.server.port}`,
    })
    sse = await runInWorkerd<CaseResult[]>('./workerd/pubsub-worker.ts', {
      url: `http://localhost/?url=${encodeURIComponent(bridge.url)}&token=${encodeURIComponent(TOKEN)}`,
    })
  }, 90_000)
  reportPubsub('TCP', () => tcp)
  reportPubsub('SSE', () => sse)
})
