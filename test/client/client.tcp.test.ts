import { afterAll, beforeAll, describe, it } from 'vitest'
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { useValkey } from '../support/use-valkey.ts'
import { clientSuite } from './client.suite.ts'
import { vitestAssert } from './vitest-assert.ts'

describe('the client suite over TCP in Node', () => {
  const valkey = useValkey()
  let client: Client
  beforeAll(() => {
    client = createTcpClient({ url: valkey.url, connect })
  })
  afterAll(() => client.close())

  for (const testCase of clientSuite) it(testCase.name, () => testCase.run(client, vitestAssert))
})
