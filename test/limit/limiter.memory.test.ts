/** The limiter suite on the memory backend (the TypeScript twins). */
import { createMemoryClient } from '../../src/client/memory.ts'
import { limiterSuite } from './limiter.suite.ts'

// The backend's own clock, untouched when a test fakes the caller's Date.
const clock = () => Math.floor(performance.timeOrigin + performance.now())

const client = createMemoryClient({ now: clock })

// Connections to the memory backend share its one dataset: hand out the same client, without
// letting one test's close() end it for the others.
limiterSuite('the memory backend', () => ({ ...client, close: async () => {} }))
