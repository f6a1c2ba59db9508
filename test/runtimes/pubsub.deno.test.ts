/** The pub/sub cases inside Deno (`deno test`): over `Deno.connect` and over SSE through the bridge. */
import { beforeAll, describe, expect, it } from 'vitest'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { reportPubsub } from './support/pubsub-report.ts'
import { runDenoTest } from './support/runners.ts'

describe('pub/sub inside Deno', () => {
  const valkey = useValkey()
  const bridge = useBridge(valkey)
  let run: Awaited<ReturnType<typeof runDenoTest>> = { code: null, output: '', results: [] }
  beforeAll(async () => {
    run = await runDenoTest('test/runtimes/deno/pubsub.test.ts', {
      VALKEY_PORT: String(valkey.server.port),
      BRIDGE_URL: bridge.url,
      BRIDGE_TOKEN: TOKEN,
    })
  }, 120_000)
  reportPubsub(
    'TCP',
    () => run.results,
    'tcp: ',
    () => run.output,
  )
  reportPubsub(
    'SSE',
    () => run.results,
    'sse: ',
    () => run.output,
  )
  it('deno test exited 0', () => {
    expect(run.code, run.output.slice(-3000)).toBe(0)
  })
})
