/**
 * `npm run bench limiter`: rate-limit decisions per second and p50/p99 latency on one
 * valkey-server this bench starts, at concurrency 1 and 50, interleaved over ROUNDS rounds:
 *
 * - floodgate slidingWindow over our TCP client, and a bare PING on that client (the ceiling of
 *   any decision that takes one round trip);
 * - rate-limiter-flexible's RateLimiterRedis over iovalkey (auto-pipelining on, its fastest mode);
 * - floodgate slidingWindow over HTTP through floodgate's bridge (a separate process, started
 *   with the CLI) on `nodeFetch` from `floodgate/node` (what floodgate's Node entry uses by
 *   default), and on Node's global fetch; @upstash/ratelimit 2.2's slidingWindow with
 *   @upstash/redis (global fetch, its only path) through the same bridge;
 * - floodgate slidingWindow on the memory backend, single-threaded (target >= 1M decisions/s),
 *   measured in a process of its own (`memory.ts`), as an app on the memory backend runs it.
 *
 * Every limiter admits every call (a limit no run reaches), over 10,000 identifiers in turn, so
 * each decision is one full script run. Targets: TCP >= 1.5x rate-limiter-flexible; through the
 * bridge >= 1.3x @upstash/ratelimit. Each ratio is the median of per-round ratios.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { Ratelimit } from '@upstash/ratelimit'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'iovalkey'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { nodeFetch } from '../../adapters/node/http-fetch.ts'
import { connect } from '../../adapters/node/socket.ts'
import { createHttpClient } from '../../src/client/http.ts'
import { createTcpClient } from '../../src/client/tcp.ts'
import { createLimiter, fixedWindow, slidingWindow } from '../../src/limit/index.ts'
import { spawnBridge } from '../../test/support/bridge-cli.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Decide, type Figures, measure, median, medianFigures } from './measure.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const N = { 1: Number(process.env.N1 ?? 10_000), 50: Number(process.env.N50 ?? 50_000) } as const
const HTTP_N = { 1: Number(process.env.HTTP_N1 ?? 1000), 50: Number(process.env.HTTP_N50 ?? 20_000) } as const
const TOKEN = 'bench-token-0123456789abcdef'

/** Starts the bridge CLI in its own process, as users run it. */
const startBridge = async (upstream: string) => {
  const args = ['--upstream', upstream, '--token', TOKEN, '--listen', '127.0.0.1:0', '--log-level', 'error']
  const bridge = await spawnBridge(args)
  return { url: bridge.url, stop: () => void bridge.child.kill('SIGTERM') }
}
const BIG = 1_000_000_000

/** The memory backend's rounds, from `memory.ts` in a process of its own. */
const memoryRounds = (): Array<{ sequential: Figures; inFlight: Figures }> => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'memory.ts')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (child.status !== 0) throw new Error(`bench/limiter/memory.ts exited with ${child.status}`)
  // JSON carries the NaN of a figure not measured (latency) as null.
  const revive = (_key: string, value: unknown) => (value === null ? Number.NaN : value)
  return child.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line, revive))
}

const server = await startValkey()
const bridge = await startBridge(server.url)
try {
  const tcp = createTcpClient({ url: server.url, connect })
  const ours = createLimiter({ client: tcp, limits: slidingWindow(BIG, '1 m'), prefix: 'fg' })
  // rate-limiter-flexible only has a fixed window: ours too, for the like-for-like line.
  const oursFixed = createLimiter({ client: tcp, limits: fixedWindow(BIG, '1 m'), prefix: 'fgf' })
  const iovalkey = new Redis({ host: '127.0.0.1', port: server.port, enableAutoPipelining: true })
  const rlf = new RateLimiterRedis({ storeClient: iovalkey, points: BIG, duration: 60, keyPrefix: 'rlf' })
  const fetch = nodeFetch()
  const http = createHttpClient({ url: bridge.url, token: TOKEN, fetch })
  const overHttp = createLimiter({ client: http, limits: slidingWindow(BIG, '1 m'), prefix: 'fgh' })
  const httpGlobal = createHttpClient({ url: bridge.url, token: TOKEN })
  const overGlobalFetch = createLimiter({
    client: httpGlobal,
    limits: slidingWindow(BIG, '1 m'),
    prefix: 'fgg',
  })
  const upstash = new Ratelimit({
    redis: new UpstashRedis({ url: bridge.url, token: TOKEN, enableTelemetry: false }),
    limiter: Ratelimit.slidingWindow(BIG, '1 m'),
    prefix: 'upstash',
    ephemeralCache: false,
  })
  const viaBridge: Array<{ name: string; decide: Decide }> = [
    { name: 'floodgate slidingWindow, HTTP via bridge, nodeFetch', decide: (id) => overHttp.limit(id) },
    { name: '@upstash/ratelimit slidingWindow, via bridge', decide: (id) => upstash.limit(id) },
    {
      name: 'floodgate slidingWindow, HTTP via bridge, global fetch',
      decide: (id) => overGlobalFetch.limit(id),
    },
  ]

  const contenders: Array<{ name: string; decide: Decide }> = [
    { name: 'floodgate slidingWindow, TCP', decide: (id) => ours.limit(id) },
    { name: 'rate-limiter-flexible RateLimiterRedis, iovalkey', decide: (id) => rlf.consume(id) },
    { name: 'floodgate fixedWindow, TCP', decide: (id) => oursFixed.limit(id) },
    // No limiter: one bare round trip on the same client, the ceiling of any one-script decision.
    { name: 'PING, no limiter (one bare round trip), TCP', decide: () => tcp.send(['PING']) },
  ]
  const figures = new Map<string, Figures[]>()
  const record = (key: string, f: Figures) => figures.set(key, [...(figures.get(key) ?? []), f])
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of [1, 50] as const) {
      for (const { name, decide } of contenders) {
        record(
          `${name} @${concurrency}`,
          await measure(decide, concurrency, N[concurrency], true, server.pid),
        )
      }
      for (const { name, decide } of viaBridge) {
        record(
          `${name} @${concurrency}`,
          await measure(decide, concurrency, HTTP_N[concurrency], true, server.pid),
        )
      }
    }
  }

  for (const line of memoryRounds()) {
    record('floodgate slidingWindow, memory, sequential', line.sequential)
    record('floodgate slidingWindow, memory, 50 in flight', line.inFlight)
  }

  const summary = (key: string) => medianFigures(figures.get(key)!)
  console.log(
    `limiter decisions, median of ${ROUNDS} interleaved rounds (latency and CPU in µs; the bridge's CPU is not counted)`,
  )
  for (const key of figures.keys()) {
    const { opsPerSec: ops, p50, p99, clientCpu, serverCpu } = summary(key)
    const lat = Number.isNaN(p50) ? '' : `  p50 ${p50.toFixed(0)}  p99 ${p99.toFixed(0)}`
    const cpu =
      `  cpu/decision: this process ${clientCpu.toFixed(1)} µs` +
      (Number.isNaN(serverCpu) ? '' : `, valkey ${serverCpu.toFixed(1)} µs`)
    console.log(`  ${key.padEnd(52)} ${Math.round(ops).toLocaleString('en-US').padStart(11)}/s${lat}${cpu}`)
  }
  // Each ratio is the median of the per-round ratios: the two figures of a round were measured
  // seconds apart, so a slow spell of this shared machine weighs on both or on neither.
  const ratio = (ours: string, theirs: string) => {
    const a = figures.get(ours)!
    const b = figures.get(theirs)!
    const perRound = a.map((f, i) => f.opsPerSec / b[i]!.opsPerSec)
    const range = `${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}`
    return `${median(perRound).toFixed(2)}x decisions/s (rounds ${range})`
  }
  const latency = (ours: string, theirs: string) => {
    const a = summary(ours)
    const b = summary(theirs)
    return `p50 ${(b.p50 / a.p50).toFixed(2)}x, p99 ${(b.p99 / a.p99).toFixed(2)}x lower`
  }
  for (const concurrency of [1, 50]) {
    const [ours, theirs, fixed, ping] = contenders.map(({ name }) => `${name} @${concurrency}`) as [
      string,
      string,
      string,
      string,
    ]
    console.log(
      `ratio TCP / rate-limiter-flexible @${concurrency}: ${ratio(ours, theirs)} (${latency(ours, theirs)}) (target >= 1.5x)`,
    )
    console.log(
      `  like for like, fixed window / rate-limiter-flexible @${concurrency}: ${ratio(fixed, theirs)}`,
    )
    console.log(
      `  ceiling, a bare round trip (PING) / rate-limiter-flexible @${concurrency}: ${ratio(ping, theirs)}`,
    )
  }
  for (const concurrency of [1, 50]) {
    const [ours, theirs, global] = viaBridge.map(({ name }) => `${name} @${concurrency}`) as [
      string,
      string,
      string,
    ]
    console.log(
      `ratio bridge: floodgate (nodeFetch, floodgate/node's default) / @upstash/ratelimit @${concurrency}: ` +
        `${ratio(ours, theirs)} (${latency(ours, theirs)}) (target >= 1.3x)`,
    )
    console.log(
      `  both on global fetch, floodgate / @upstash/ratelimit @${concurrency}: ${ratio(global, theirs)}`,
    )
  }
  const sequential = figures.get('floodgate slidingWindow, memory, sequential')!.map((f) => f.opsPerSec)
  const count = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(
    `memory backend: ${count(median(sequential))} decisions/s single-threaded, sequential ` +
      `(rounds ${count(Math.min(...sequential))}–${count(Math.max(...sequential))}) (target >= 1,000,000)`,
  )
  await tcp.close()
  await http.close()
  await httpGlobal.close()
  fetch.close()
  iovalkey.disconnect()
} finally {
  bridge.stop()
  await server.stop()
}
