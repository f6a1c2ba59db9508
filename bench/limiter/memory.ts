/**
 * The memory backend's share of `bench/limiter`, run in a process of its own: `index.ts` starts
 * it with `--import tsx` and reads one JSON line of figures per round from its stdout.
 *
 * Its own process, because an app runs the limiter on one backend: in the main bench process the
 * same limiter code has also served the TCP and HTTP clients, and V8 has compiled it for all of
 * them, which a memory-only app never pays for.
 */
import { createMemoryClient } from '../../src/client/memory.ts'
import { createLimiter, slidingWindow } from '../../src/limit/index.ts'
import { measure } from './measure.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const MEMORY_N = Number(process.env.MEMORY_N ?? 1_000_000)

const memory = createLimiter({
  client: createMemoryClient(),
  limits: slidingWindow(1_000_000_000, '1 m'),
  prefix: 'mem',
})
for (let round = 0; round < ROUNDS; round++) {
  const sequential = await measure((id) => memory.limit(id), 1, MEMORY_N, false)
  const inFlight = await measure((id) => memory.limit(id), 50, MEMORY_N, false)
  console.log(JSON.stringify({ sequential, inFlight }))
}
