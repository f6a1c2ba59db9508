/**
 * `npm run bench tcp-client`: floodgate's TCP client against `iovalkey` (with and without
 * auto-pipelining) and `redis` (node-redis) on one `valkey-server` this bench starts on a free port.
 * INCR, 100k operations per run: one at a time, 50 in flight, and pipelined (batches of 100); and
 * EVALSHA (INCR + PEXPIRE) at 50 in flight. Rounds interleave the clients; medians are printed,
 * then the ratios the targets name:
 *   - 50 in flight: >= 1.5x iovalkey with auto-pipelining;
 *   - EVALSHA at 50 in flight: >= 80k/s;
 *   - one at a time: p50 no worse than iovalkey's.
 * Each run starts after a full GC; each round starts with a different client.
 * Env: ROUNDS (default 3), OPS (default 100000), CLIENTS / MODES (comma lists to narrow a run).
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Valkey } from 'iovalkey'
import { createClient } from 'redis'
import { connect } from '../../src/bridge/node/socket.ts'
import { defineScript, scriptSha } from '../../src/client/script.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { pairedRatio, type Ratio, report } from '../report.ts'
import { median, percentile } from '../stats.ts'

// A full collection before each run, so one client's garbage is not charged to the next.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const OPS = Number(process.env.OPS ?? 100_000)
const BATCH = 100

const script = defineScript({
  name: 'fixedWindow',
  lua: `-- KEYS[1] counter; ARGV[1] ttl ms
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n`,
})

type Mode = 'one at a time' | '50 in flight' | 'pipelined x100' | 'EVALSHA, 50 in flight'
const MODES: Mode[] = ['one at a time', '50 in flight', 'pipelined x100', 'EVALSHA, 50 in flight']

interface Target {
  name: string
  /** One INCR. */
  incr(key: string): Promise<unknown>
  /** `count` INCRs as one pipeline. */
  batch(key: string, count: number): Promise<unknown>
  evalsha(sha: string, key: string): Promise<unknown>
  close(): Promise<unknown>
  /** Modes this client has a distinct way of running (iovalkey auto-pipelining: 50 in flight only). */
  modes: Mode[]
}

interface Run {
  rate: number
  p50: number
  p99: number
}

/** `total` operations from `concurrency` loops, each awaiting its own; latency in µs per operation. */
const measure = async (
  total: number,
  concurrency: number,
  op: () => Promise<unknown>,
  perOp = 1,
): Promise<Run> => {
  const latencies = new Float64Array(Math.ceil(total / perOp))
  let next = 0
  const loop = async () => {
    while (next < latencies.length) {
      const i = next++
      const start = performance.now()
      await op()
      latencies[i] = (performance.now() - start) * 1000
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  const seconds = (performance.now() - started) / 1000
  latencies.sort()
  return {
    rate: (latencies.length * perOp) / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  }
}

const runMode = (target: Target, mode: Mode, sha: string, total: number): Promise<Run> => {
  const key = `bench:${target.name}:${mode}`
  switch (mode) {
    case 'one at a time':
      return measure(total, 1, () => target.incr(key))
    case '50 in flight':
      return measure(total, 50, () => target.incr(key))
    case 'pipelined x100':
      return measure(total, 1, () => target.batch(key, BATCH), BATCH)
    case 'EVALSHA, 50 in flight':
      return measure(total, 50, () => target.evalsha(sha, key))
  }
}

const server = await startValkey()
const sha = await scriptSha(script)
server.cli('SCRIPT', 'LOAD', script.lua)

const ours = createTcpClient({ url: server.url, connect })
const oursMicrotask = createTcpClient({
  url: server.url,
  connect,
  schedule: (flush) => queueMicrotask(flush),
})
const iovalkey = new Valkey({ host: '127.0.0.1', port: server.port, lazyConnect: true })
const iovalkeyAuto = new Valkey({
  host: '127.0.0.1',
  port: server.port,
  lazyConnect: true,
  enableAutoPipelining: true,
})
const nodeRedis = createClient({ socket: { host: '127.0.0.1', port: server.port } })
await Promise.all([iovalkey.connect(), iovalkeyAuto.connect(), nodeRedis.connect()])

const floodgate = (name: string, client: typeof ours): Target => ({
  name,
  incr: (key) => client.send(['INCR', key]),
  batch: (key, count) => client.pipeline(Array.from({ length: count }, () => ['INCR', key])),
  evalsha: (hash, key) => client.send(['EVALSHA', hash, 1, key, 60_000]),
  close: () => client.close(),
  modes: MODES,
})
const io = (name: string, client: Valkey, modes: Mode[]): Target => ({
  name,
  incr: (key) => client.incr(key),
  batch: (key, count) => {
    const pipeline = client.pipeline()
    for (let i = 0; i < count; i++) pipeline.incr(key)
    return pipeline.exec()
  },
  evalsha: (hash, key) => client.evalsha(hash, 1, key, 60_000),
  close: () => client.quit(),
  modes,
})
const allTargets: Target[] = [
  floodgate('floodgate', ours),
  floodgate('floodgate (microtask flush)', oursMicrotask),
  io('iovalkey', iovalkey, ['one at a time', '50 in flight', 'pipelined x100', 'EVALSHA, 50 in flight']),
  io('iovalkey + auto-pipelining', iovalkeyAuto, ['50 in flight', 'EVALSHA, 50 in flight']),
  {
    name: 'node-redis',
    incr: (key) => nodeRedis.incr(key),
    batch: (key, count) => {
      const multi = nodeRedis.multi()
      for (let i = 0; i < count; i++) multi.incr(key)
      return multi.execAsPipeline()
    },
    evalsha: (hash, key) => nodeRedis.evalSha(hash, { keys: [key], arguments: ['60000'] }),
    close: () => nodeRedis.quit(),
    modes: MODES,
  },
]
const onlyClients = process.env.CLIENTS?.split(',')
const onlyModes = process.env.MODES?.split(',')
const targets = allTargets.filter((t) => !onlyClients || onlyClients.some((c) => t.name.startsWith(c)))
const modes = MODES.filter((m) => !onlyModes || onlyModes.some((o) => m.startsWith(o)))

console.log(
  `valkey-server ${server.cli('INFO', 'server').match(/valkey_version:(\S+)/)?.[1]} on port ${server.port}; ${OPS} ops per run, ${ROUNDS} rounds`,
)
for (const target of targets)
  for (const mode of modes) if (target.modes.includes(mode)) await runMode(target, mode, sha, 5000)

const results = new Map<string, Run[]>()
for (let round = 1; round <= ROUNDS; round++) {
  // Each round starts with a different client, so none always follows the same one.
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!)
  for (const mode of modes) {
    for (const target of order) {
      if (!target.modes.includes(mode)) continue
      collectGarbage()
      await new Promise((resolve) => setTimeout(resolve, 50))
      const run = await runMode(target, mode, sha, OPS)
      const id = `${mode}|${target.name}`
      results.set(id, [...(results.get(id) ?? []), run])
    }
  }
  console.log(`round ${round}/${ROUNDS} done`)
}

const summary = (mode: Mode, name: string): Run | undefined => {
  const runs = results.get(`${mode}|${name}`)
  if (!runs) return undefined
  return {
    rate: median(runs.map((r) => r.rate)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  }
}

const rows: string[][] = [['mode', 'client', 'ops/s', 'p50 µs', 'p99 µs', 'min-max ops/s']]
for (const mode of modes) {
  for (const target of targets) {
    const runs = results.get(`${mode}|${target.name}`)
    const s = summary(mode, target.name)
    if (!runs || !s) continue
    const rates = runs.map((r) => r.rate)
    rows.push([
      mode,
      target.name,
      Math.round(s.rate).toLocaleString('en'),
      s.p50.toFixed(0),
      s.p99.toFixed(0),
      `${Math.round(Math.min(...rates) / 1000)}k-${Math.round(Math.max(...rates) / 1000)}k`,
    ])
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '))

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : 'n/a')
const get = (mode: Mode, name: string) => summary(mode, name)
console.log('\nratios (median of rounds):')
const c50 = get('50 in flight', 'floodgate')
console.log(
  `  50 in flight, floodgate / iovalkey+auto-pipelining: ${ratio(c50?.rate, get('50 in flight', 'iovalkey + auto-pipelining')?.rate)}x (target >= 1.5)`,
)
console.log(
  `  50 in flight, floodgate / iovalkey: ${ratio(c50?.rate, get('50 in flight', 'iovalkey')?.rate)}x`,
)
console.log(
  `  50 in flight, floodgate / node-redis: ${ratio(c50?.rate, get('50 in flight', 'node-redis')?.rate)}x`,
)
const ev = get('EVALSHA, 50 in flight', 'floodgate')
console.log(
  `  EVALSHA 50 in flight, floodgate: ${ev ? Math.round(ev.rate).toLocaleString('en') : 'n/a'}/s (target >= 80,000); / iovalkey+auto-pipelining: ${ratio(ev?.rate, get('EVALSHA, 50 in flight', 'iovalkey + auto-pipelining')?.rate)}x`,
)
const seq = get('one at a time', 'floodgate')
console.log(
  `  one at a time, p50 floodgate / iovalkey: ${ratio(seq?.p50, get('one at a time', 'iovalkey')?.p50)} (target <= 1.00); throughput ${ratio(seq?.rate, get('one at a time', 'iovalkey')?.rate)}x`,
)
console.log(
  `  pipelined x100, floodgate / iovalkey: ${ratio(get('pipelined x100', 'floodgate')?.rate, get('pipelined x100', 'iovalkey')?.rate)}x; / node-redis: ${ratio(get('pipelined x100', 'floodgate')?.rate, get('pipelined x100', 'node-redis')?.rate)}x`,
)

const versus = (label: string, mode: Mode, ours: string, theirs: string, target?: number): Ratio[] => {
  const [a, b] = [results.get(`${mode}|${ours}`), results.get(`${mode}|${theirs}`)]
  return a && b
    ? [
        pairedRatio(
          label,
          a.map((r) => r.rate),
          b.map((r) => r.rate),
          target,
        ),
      ]
    : []
}
report('TCP client ops/s, floodgate / peer (INCR unless named)', [
  ...versus(
    '50 in flight / iovalkey + auto-pipelining',
    '50 in flight',
    'floodgate',
    'iovalkey + auto-pipelining',
    1.5,
  ),
  ...versus('50 in flight / node-redis', '50 in flight', 'floodgate', 'node-redis'),
  ...versus('one at a time / iovalkey', 'one at a time', 'floodgate', 'iovalkey'),
  ...versus('pipelined x100 / iovalkey', 'pipelined x100', 'floodgate', 'iovalkey'),
  ...versus('pipelined x100 / node-redis', 'pipelined x100', 'floodgate', 'node-redis'),
  ...versus(
    'EVALSHA, 50 in flight / iovalkey + auto-pipelining',
    'EVALSHA, 50 in flight',
    'floodgate',
    'iovalkey + auto-pipelining',
  ),
])

await Promise.all(allTargets.map((t) => t.close()))
await server.stop()
