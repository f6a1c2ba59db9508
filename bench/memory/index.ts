/**
 * `npm run bench memory`: the memory backend's raw command throughput, against a plain `Map` doing
 * the same work in the same run, so the cost of dispatch, argument canonicalisation, expiry and
 * replies shows as a ratio. Three layers:
 *   - `redis.call` in a loop inside one twin (synchronous, clock frozen: what limiter and session
 *     twins pay per command),
 *   - `client.send` (one promise per command, as callers use it),
 *   - `client.eval` of a small twin (INCR + PEXPIRE, a fixed-window step) and of a
 *     GET + SET PX twin (the shape of the limiter's step),
 * each compared with the same operations on a `Map` (sync, and awaited for the promise layers).
 */

import { createMemoryClient } from '../../src/client/memory/client.ts'
import { defineScript } from '../../src/client/script.ts'
import type { ScriptContext } from '../../src/client/types.ts'
import { report } from '../report.ts'
import { median } from '../stats.ts'

const N = Number(process.env.N ?? 1_000_000)
const KEYS = Number(process.env.KEYS ?? 10_000)
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const keys = Array.from({ length: KEYS }, (_, i) => `bench:${i}`)

/**
 * Ops per second of this process's CPU time (user + system), not of wall time: the machine is
 * shared, and CPU time does not count the slices other processes take.
 */
const time = async (run: () => unknown): Promise<number> => {
  const start = process.cpuUsage()
  await run()
  const used = process.cpuUsage(start)
  return N / ((used.user + used.system) / 1e6)
}

/** Runs `loop` inside a twin, as limiter and session twins call commands (the clock frozen). */
let loop: (call: ScriptContext['call']) => void = () => {}
const inTwin = defineScript({
  name: 'loop',
  lua: 'return 0',
  twin: (redis) => {
    loop(redis.call)
    return 0
  },
})
const twin = (body: (call: ScriptContext['call']) => void) => () => {
  loop = body
  return client.eval(inTwin, [], [])
}
const fixedWindow = defineScript({
  name: 'fixedWindow',
  lua: "-- KEYS[1] counter; ARGV[1] ttl ms\nlocal n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n",
  twin: (redis, k, argv) => {
    const n = redis.call('INCR', k[0]!) as number
    if (n === 1) redis.call('PEXPIRE', k[0]!, argv[0]!)
    return n
  },
})
const getSet = defineScript({
  name: 'getSet',
  lua: "-- KEYS[1] state; ARGV[1] ttl ms\nlocal v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1 redis.call('SET', KEYS[1], v, 'PX', ARGV[1]) return { 1, v }",
  twin: (redis, k, argv) => {
    const v = Number(redis.call('GET', k[0]!) ?? '0') + 1
    redis.call('SET', k[0]!, v, 'PX', Number(argv[0]))
    return [1, v]
  },
})

const client = createMemoryClient()
const map = new Map<string, string | number>()
const k = (i: number): string => keys[i % KEYS]!

/** Every result lands here, so the JIT cannot drop the baseline's work as dead code. */
let sink: unknown
const keep = (value: unknown): void => {
  sink = value
}

const rows: Array<[string, number, number]> = []
/** One warm-up each, then ROUNDS rounds alternating the two sides; medians. */
const compare = async (name: string, ours: () => unknown, baseline: () => unknown): Promise<void> => {
  await time(ours)
  await time(baseline)
  const a: number[] = []
  const b: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await time(ours))
    b.push(await time(baseline))
  }
  rows.push([name, median(a), median(b)])
}

await compare(
  'SET via redis.call',
  twin((call) => {
    for (let i = 0; i < N; i++) call('SET', k(i), 'v')
  }),
  () => {
    for (let i = 0; i < N; i++) map.set(k(i), 'v')
  },
)
await compare(
  'GET via redis.call',
  twin((call) => {
    for (let i = 0; i < N; i++) keep(call('GET', k(i)))
  }),
  () => {
    for (let i = 0; i < N; i++) keep(map.get(k(i)))
  },
)
await client.send(['FLUSHDB'])
map.clear()
await compare(
  'INCR via redis.call',
  twin((call) => {
    for (let i = 0; i < N; i++) call('INCR', k(i))
  }),
  () => {
    for (let i = 0; i < N; i++) map.set(k(i), ((map.get(k(i)) as number) ?? 0) + 1)
  },
)
await compare(
  'SET PX via redis.call',
  twin((call) => {
    for (let i = 0; i < N; i++) call('SET', k(i), i, 'PX', 60_000)
  }),
  () => {
    for (let i = 0; i < N; i++) map.set(k(i), i)
  },
)
await client.send(['FLUSHDB'])
map.clear()
await compare(
  'INCR via client.send',
  async () => {
    for (let i = 0; i < N; i++) await client.send(['INCR', k(i)])
  },
  async () => {
    for (let i = 0; i < N; i++) await map.set(k(i), ((map.get(k(i)) as number) ?? 0) + 1)
  },
)
await compare(
  'GET via client.send',
  async () => {
    for (let i = 0; i < N; i++) keep(await client.send(['GET', k(i)]))
  },
  async () => {
    for (let i = 0; i < N; i++) keep(await map.get(k(i)))
  },
)
await client.send(['FLUSHDB'])
map.clear()
await compare(
  'eval INCR+PEXPIRE twin',
  async () => {
    for (let i = 0; i < N; i++) await client.eval(fixedWindow, [k(i)], [60_000])
  },
  async () => {
    for (let i = 0; i < N; i++) await map.set(k(i), ((map.get(k(i)) as number) ?? 0) + 1)
  },
)
await compare(
  'eval GET+SET PX twin',
  async () => {
    for (let i = 0; i < N; i++) await client.eval(getSet, [k(i)], [60_000])
  },
  async () => {
    for (let i = 0; i < N; i++) await map.set(k(i), Number(map.get(k(i)) ?? 0) + 1)
  },
)

const f = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12)
console.log(
  `memory backend vs a plain Map: ${N.toLocaleString('en-US')} ops over ${KEYS} keys, ops per CPU-second, median of ${ROUNDS}`,
)
console.log(`${'operation'.padEnd(26)} ${'memory'.padStart(12)} ${'Map'.padStart(12)}  ratio`)
for (const [name, ours, baseline] of rows) {
  console.log(`${name.padEnd(26)} ${f(ours)} ${f(baseline)}  ${(ours / baseline).toFixed(2)}x`)
}
report(
  'Memory backend / a plain Map doing the same work, per CPU-second',
  rows.map(([name, ours, baseline]) => ({ label: name, value: ours / baseline })),
  rows.map(([name, ours]) => ({ label: name, value: Math.round(ours), unit: 'ops per CPU-second' })),
)
await client.close()
if (sink === Symbol.for('never')) console.log(sink)
