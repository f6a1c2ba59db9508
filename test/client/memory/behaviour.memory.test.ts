import { describe, it } from 'vitest'
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { runCase } from './behaviour.suite.ts'
import { allCases } from './cases.ts'

describe('memory backend behaviour cases', () => {
  for (const behaviour of allCases) {
    it(behaviour.name, async () => {
      const client = createMemoryClient()
      await runCase(client, behaviour)
      await client.close()
    })
  }
})
