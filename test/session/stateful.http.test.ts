import { afterAll, beforeAll } from 'vitest'
import type { Client } from '../../src/client/types.ts'
import { createHttpClient } from '../../src/index.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { statefulSuite } from './stateful.suite.ts'

// Runtimes without TCP (Vercel Edge) reach Valkey through the bridge: the same suite over HTTP.
const valkey = useValkey()
const bridge = useBridge(valkey)
let client: Client
beforeAll(() => {
  client = createHttpClient({ url: bridge.url, token: TOKEN })
})
afterAll(() => client?.close())

statefulSuite('the bridge over HTTP', { client: () => client })
