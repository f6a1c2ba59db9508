import { afterAll, describe, it } from 'vitest'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { clientSuite } from './client.suite.ts'
import { vitestAssert } from './vitest-assert.ts'

describe('the client suite on the memory backend', () => {
  const client = createMemoryClient()
  afterAll(() => client.close())

  for (const testCase of clientSuite) it(testCase.name, () => testCase.run(client, vitestAssert))
})
