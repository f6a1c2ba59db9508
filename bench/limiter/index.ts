/**
 * `npm run bench limiter`: rate-limit decisions per second and p50/p99 latency on one
 * valkey-server this bench starts, at concurrency 1 and 50, interleaved over ROUNDS rounds:
 *
 * - floodgate slidingWindow over our TCP client, and a bare PING on that client (the ceiling of
 *   any decision that takes one round trip), and a script of TIME + GET + SET PX on it (the least
 *   any limiter on the server's clock does per decision);
 * - rate-limiter-flexible's RateLimiterRedis over iovalkey (auto-pipelining on, its fastest mode);
 * - floodgate slidingWindow over HTTP through floodgate's bridge (a separate process, started
 *   with the CLI) on `nodeFetch` from `floodgate/node` (what floodgate's Node entry uses by
 *   default), and on Node's global fetch; @upstash/ratelimit 2.2's slidingWindow with
 *   @upstash/redis (global fetch, its only path) through the same bridge;
 * - floodgate slidingWindow on the memory backend, single-threaded (target >= 1M decisions/s).
 *
 * Each contender runs in a process of its own (`contender.ts`), as an app runs its one limiter,
 * while this process asks each in turn for one measurement per round.
 * Every limiter admits every call (a limit no run reaches), over 10,000 identifiers in turn, so
 * each decision is one full script run. Targets: TCP >= 1.5x rate-limiter-flexible; through the
 * bridge >= 1.3x @upstash/ratelimit. Each ratio is the median of per-round ratios.
 *
 * `BENCH_BASELINE=<another checkout>` also runs that checkout's memory contender, interleaved
 * with ours round by round, and prints the ratio (a change measured against its base in one run
 * of a shared machine). `BENCH_ONLY=memory` measures the memory backend alone.
 */
import { fork } from 'node:child_process'
import { join } from 'node:path'
import { spawnBridge } from '../../test/support/bridge-cli.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { pairedRatio, report } from '../report.ts'
import type { Ask, ContenderName, Endpoints } from './contender.ts'
import { type Figures, median, medianFigures } from './measure.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const N = { 1: Number(process.env.N1 ?? 10_000), 50: Number(process.env.N50 ?? 50_000) } as const
const HTTP_N = { 1: Number(process.env.HTTP_N1 ?? 1000), 50: Number(process.env.HTTP_N50 ?? 20_000) } as const
const MEMORY_N = Number(process.env.MEMORY_N ?? 1_000_000)
const TOKEN = 'bench-token-0123456789abcdef'
const BASELINE = process.env.BENCH_BASELINE
const MEMORY_ONLY = process.env.BENCH_ONLY === 'memory'
const BRIDGE_ONLY = process.env.BENCH_ONLY === 'bridge'

const OVER_TCP: ContenderName[] = [
  'floodgate slidingWindow, TCP',
  'rate-limiter-flexible RateLimiterRedis, iovalkey',
  'floodgate fixedWindow, TCP',
  'PING, no limiter (one bare round trip), TCP',
  'TIME + GET + SET PX script, no limiter, TCP',
]
const VIA_BRIDGE: ContenderName[] = [
  'floodgate slidingWindow, HTTP via bridge, nodeFetch',
  '@upstash/ratelimit slidingWindow, via bridge',
  'floodgate slidingWindow, HTTP via bridge, global fetch',
  'PING, no limiter, HTTP via bridge, global fetch',
  'PING, no limiter, @upstash/redis via bridge',
  'TIME + GET + SET PX script, no limiter, HTTP via bridge, global fetch',
]
const MEMORY: ContenderName = 'floodgate slidingWindow, memory'

interface Contender {
  ask(ask: Ask): Promise<Figures>
  stop(): void
}

/** Forks `contender.ts` for `name` and resolves once it has built its limiter. */
const startContender = (name: ContenderName, endpoints: Endpoints, root = '.'): Promise<Contender> =>
  new Promise((resolve, reject) => {
    const dir = root === '.' ? import.meta.dirname : join(root, 'bench', 'limiter')
    const child = fork(join(dir, 'contender.ts'), [name], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_ENDPOINTS: JSON.stringify(endpoints) },
      // Structured clone keeps the NaN of a figure not measured (the memory backend's latency).
      serialization: 'advanced',
    })
    let failed = reject
    child.once('exit', (code) => failed(new Error(`bench contender "${name}" exited with ${code}`)))
    child.once('message', () =>
      resolve({
        ask: (ask) =>
          new Promise((answer, fail) => {
            failed = fail
            child.once('message', (figures) => answer(figures as Figures))
            child.send(ask)
          }),
        stop: () => {
          if (child.connected) child.disconnect()
        },
      }),
    )
  })

const server = await startValkey()
const args = ['--upstream', server.url, '--token', TOKEN, '--listen', '127.0.0.1:0', '--log-level', 'error']
const bridge = await spawnBridge(args)
const contenders = new Map<ContenderName, Contender>()
try {
  const endpoints = { valkeyUrl: server.url, valkeyPort: server.port, bridgeUrl: bridge.url, token: TOKEN }
  const figures = new Map<string, Figures[]>()
  const record = (key: string, f: Figures) => figures.set(key, [...(figures.get(key) ?? []), f])
  // The memory backend first, alone, as an app on that backend runs: no other process of the
  // bench (nor one still collecting after a network round) shares the machine with it.
  const memory = await startContender(MEMORY, endpoints)
  const baseline = BASELINE === undefined ? undefined : await startContender(MEMORY, endpoints, BASELINE)
  for (let round = 0; round < (BRIDGE_ONLY ? 0 : ROUNDS); round++) {
    for (const [label, contender] of [
      ['', memory],
      [' (baseline)', baseline],
    ] as const) {
      if (contender === undefined) continue
      const ask = (concurrency: number) => contender.ask({ concurrency, n: MEMORY_N, latencies: false })
      record(`${MEMORY}${label}, sequential`, await ask(1))
      record(`${MEMORY}${label}, 50 in flight`, await ask(50))
    }
  }
  memory.stop()
  baseline?.stop()
  const overTcp = BRIDGE_ONLY ? [] : OVER_TCP
  for (const name of MEMORY_ONLY ? [] : [...overTcp, ...VIA_BRIDGE]) {
    contenders.set(name, await startContender(name, endpoints))
  }
  const ask = (name: ContenderName, concurrency: number, n: number) =>
    contenders
      .get(name)!
      .ask({ concurrency, n, latencies: true, serverPid: server.pid, bridgePid: bridge.child.pid })
  for (let round = 0; round < (MEMORY_ONLY ? 0 : ROUNDS); round++) {
    for (const concurrency of [1, 50] as const) {
      for (const name of overTcp)
        record(`${name} @${concurrency}`, await ask(name, concurrency, N[concurrency]))
      for (const name of VIA_BRIDGE) {
        record(`${name} @${concurrency}`, await ask(name, concurrency, HTTP_N[concurrency]))
      }
    }
  }

  const summary = (key: string) => medianFigures(figures.get(key)!)
  console.log(
    `limiter decisions, median of ${ROUNDS} interleaved rounds (latency and CPU in µs; client: the contender's own process)`,
  )
  for (const key of figures.keys()) {
    const { opsPerSec: ops, p50, p99, clientCpu, serverCpu, bridgeCpu } = summary(key)
    const lat = Number.isNaN(p50) ? '' : `  p50 ${p50.toFixed(0)}  p99 ${p99.toFixed(0)}`
    const cpu =
      `  cpu/decision: client ${clientCpu.toFixed(1)} µs` +
      (Number.isNaN(serverCpu) ? '' : `, valkey ${serverCpu.toFixed(1)} µs`) +
      (Number.isNaN(bridgeCpu) || !key.includes('bridge') ? '' : `, bridge ${bridgeCpu.toFixed(1)} µs`)
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
  for (const concurrency of MEMORY_ONLY || BRIDGE_ONLY ? [] : [1, 50]) {
    const [ours, theirs, fixed, ping, floor] = OVER_TCP.map((name) => `${name} @${concurrency}`) as [
      string,
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
    console.log(
      `  floor of a server-clock limiter, a script of TIME + GET + SET PX / rate-limiter-flexible @${concurrency}: ${ratio(floor, theirs)}`,
    )
  }
  for (const concurrency of MEMORY_ONLY ? [] : [1, 50]) {
    const [ours, theirs, global, ping, upstashPing, floor] = VIA_BRIDGE.map(
      (name) => `${name} @${concurrency}`,
    ) as [string, string, string, string, string, string]
    console.log(
      `ratio bridge: floodgate (nodeFetch, floodgate/node's default) / @upstash/ratelimit @${concurrency}: ` +
        `${ratio(ours, theirs)} (${latency(ours, theirs)}) (target >= 1.3x)`,
    )
    console.log(
      `  both on global fetch, floodgate / @upstash/ratelimit @${concurrency}: ${ratio(global, theirs)} (target >= 1.1x)`,
    )
    console.log(
      `  ceiling on global fetch, a bare PING on our HTTP client / @upstash/ratelimit @${concurrency}: ${ratio(ping, theirs)}`,
    )
    console.log(
      `  floor on global fetch, a TIME + GET + SET PX script on our HTTP client / @upstash/ratelimit @${concurrency}: ${ratio(floor, theirs)}`,
    )
    console.log(
      `  @upstash/redis's own bare PING / @upstash/ratelimit @${concurrency}: ${ratio(upstashPing, theirs)}`,
    )
  }
  const sequential = figures.get(`${MEMORY}, sequential`)?.map((f) => f.opsPerSec) ?? [Number.NaN]
  const count = (n: number) => Math.round(n).toLocaleString('en-US')
  if (!BRIDGE_ONLY)
    console.log(
      `memory backend: ${count(median(sequential))} decisions/s single-threaded, sequential ` +
        `(rounds ${count(Math.min(...sequential))}–${count(Math.max(...sequential))}) (target >= 1,000,000)`,
    )
  const rounds = (name: ContenderName, concurrency: number) =>
    figures.get(`${name} @${concurrency}`)!.map((f) => f.opsPerSec)
  const [tcp, flexible, , ping] = OVER_TCP as [ContenderName, ContenderName, ContenderName, ContenderName]
  const [bridged, upstash, globalFetch, httpPing, , httpFloor] = VIA_BRIDGE as [
    ContenderName,
    ContenderName,
    ContenderName,
    ContenderName,
    ContenderName,
    ContenderName,
  ]
  if (!MEMORY_ONLY) {
    const overTcpRatios = BRIDGE_ONLY
      ? []
      : [
          pairedRatio(
            'TCP / rate-limiter-flexible, 50 in flight',
            rounds(tcp, 50),
            rounds(flexible, 50),
            1.5,
          ),
          pairedRatio('TCP / rate-limiter-flexible, 1 in flight', rounds(tcp, 1), rounds(flexible, 1), 1.5),
          pairedRatio(
            'bare PING (ceiling) / rate-limiter-flexible, 1 in flight',
            rounds(ping, 1),
            rounds(flexible, 1),
          ),
        ]
    report(
      'Rate-limit decisions/s, floodgate / peer',
      [
        ...overTcpRatios,
        pairedRatio(
          'bridge, nodeFetch / @upstash/ratelimit, 50 in flight',
          rounds(bridged, 50),
          rounds(upstash, 50),
          1.3,
        ),
        pairedRatio(
          'bridge, nodeFetch / @upstash/ratelimit, 1 in flight',
          rounds(bridged, 1),
          rounds(upstash, 1),
          1.3,
        ),
        pairedRatio(
          'bridge, both on global fetch / @upstash/ratelimit, 50 in flight',
          rounds(globalFetch, 50),
          rounds(upstash, 50),
          1.1,
        ),
        pairedRatio(
          'bridge, both on global fetch / @upstash/ratelimit, 1 in flight',
          rounds(globalFetch, 1),
          rounds(upstash, 1),
          1.1,
        ),
        pairedRatio(
          'global fetch, a bare PING (ceiling) / @upstash/ratelimit, 1 in flight',
          rounds(httpPing, 1),
          rounds(upstash, 1),
        ),
        pairedRatio(
          'global fetch, a bare PING (ceiling) / @upstash/ratelimit, 50 in flight',
          rounds(httpPing, 50),
          rounds(upstash, 50),
        ),
        pairedRatio(
          'global fetch, TIME + GET + SET PX script (floor) / @upstash/ratelimit, 1 in flight',
          rounds(httpFloor, 1),
          rounds(upstash, 1),
        ),
        pairedRatio(
          'global fetch, TIME + GET + SET PX script (floor) / @upstash/ratelimit, 50 in flight',
          rounds(httpFloor, 50),
          rounds(upstash, 50),
        ),
      ],
      BRIDGE_ONLY
        ? []
        : [
            {
              label: 'memory backend, one thread, median of rounds',
              value: Math.round(median(sequential)),
              unit: 'decisions/s',
            },
          ],
    )
  }
  if (BASELINE !== undefined) {
    for (const mode of ['sequential', '50 in flight']) {
      console.log(
        `  memory backend / baseline (${BASELINE}), ${mode}: ${ratio(`${MEMORY}, ${mode}`, `${MEMORY} (baseline), ${mode}`)}`,
      )
    }
  }
} finally {
  for (const contender of contenders.values()) contender.stop()
  bridge.child.kill('SIGTERM')
  await server.stop()
}
