/** The client suite on the memory backend inside Deno, each case reported as its own test. */
import { describe } from 'vitest'
import { useDenoSuite } from './support/runners.ts'

describe('the client suite on the memory backend inside Deno', () => {
  // NOTE: one harmless variable, since the runner grants --allow-env for exactly the names given.
  useDenoSuite('test/runtimes/deno/memory.test.ts', () => ({ FLOODGATE_SUITE: 'memory' }))
})
