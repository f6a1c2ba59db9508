import { createMemoryClient } from '../../src/index.ts'
import { statefulSuite } from './stateful.suite.ts'

// The scripts' TypeScript twins, run by the memory backend, must pass the same suite as the Lua.
const client = createMemoryClient()
statefulSuite('the memory backend', { client: () => client })
