import { describe, it } from 'vitest'
import { createMemoryClient } from '../../../src/client/memory.ts'
import { runCase } from './behaviour.ts'
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
