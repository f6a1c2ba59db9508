import { afterAll } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { type Client, createTcpClient } from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pubsubSuite } from './suite.ts'

const valkey = useValkey()
const clients: Client[] = []
const make = (protocol: 2 | 3) => () => {
  const client = createTcpClient({ url: valkey.url, connect, subscriberProtocol: protocol })
  clients.push(client)
  return client
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
})

pubsubSuite('TCP (RESP2)', { subscriber: make(2), publisher: make(2) })
pubsubSuite('TCP (RESP3 pushes)', { subscriber: make(3), publisher: make(2) })
