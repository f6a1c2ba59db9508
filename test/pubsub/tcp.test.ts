import { connect } from '../../adapters/node/index.ts'
import { createTcpClient } from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'
import { pubsubSuite } from './suite.ts'
import { useClients } from './support.ts'

const valkey = useValkey()
const keep = useClients()
const make = (protocol: 2 | 3) => () =>
  keep(createTcpClient({ url: valkey.url, connect, subscriberProtocol: protocol }))

pubsubSuite('TCP (RESP2)', { subscriber: make(2), publisher: make(2) })
pubsubSuite('TCP (RESP3 pushes)', { subscriber: make(3), publisher: make(2) })
