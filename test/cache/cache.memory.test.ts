/** The cache suite on the memory backend (the scripts' TypeScript twins). */
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { cacheSuite } from './cache.suite.ts'

const client = createMemoryClient()
cacheSuite('the memory backend', () => ({ ...client, close: async () => {} }))
