/**
 * The memory backend's behaviour cases against a real Valkey 8: this proves the expected replies
 * in `cases.ts` are Valkey's, so the memory run of the same table proves the memory backend.
 */
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest'
import { connect } from '../../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../../src/client/tcp/client.ts'
import type { Client } from '../../../src/client/types.ts'
import { useValkey } from '../../support/use-valkey.ts'
import { runCase } from './behaviour.suite.ts'
import { allCases } from './cases.ts'

const valkey = useValkey()
let client: Client

beforeAll(() => {
  client = createTcpClient({ url: valkey.url, connect })
})
afterAll(() => client.close())
beforeEach(async () => {
  await client.send(['FLUSHDB'])
})

describe('memory backend behaviour cases, on Valkey over the TCP client', () => {
  for (const behaviour of allCases) {
    it(behaviour.name, () => runCase(client, behaviour))
  }
})
