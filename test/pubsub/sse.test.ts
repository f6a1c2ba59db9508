import { afterAll } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { type Client, createHttpClient, createTcpClient } from '../../src/index.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pubsubSuite } from './suite.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)
const clients: Client[] = []
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
})

pubsubSuite('SSE through the bridge', {
  subscriber: () => {
    const client = createHttpClient({ url: bridge.url, token: TOKEN })
    clients.push(client)
    return client
  },
  publisher: () => {
    const client = createTcpClient({ url: valkey.url, connect })
    clients.push(client)
    return client
  },
})
