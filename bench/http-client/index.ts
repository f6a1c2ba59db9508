/**
 * `npm run bench http-client`: the SDK side of HTTP. INCR and a warm EVALSHA through floodgate's
 * bridge (its own process, the CLI) in front of one valkey-server, from one Node client process:
 * calls/s and p50/p99 per call at concurrency 1 and 50, for
 *   - floodgate's HTTP client over the global fetch,
 *   - floodgate's HTTP client over `nodeFetch()` (floodgate/node),
 *   - `@upstash/redis` 1.39 (its defaults: auto-pipelining, base64) over the same bridge,
 * plus ours with auto-pipelining off (one request per call: the raw HTTP tax) over each fetch,
 * and over `undici.request` (npm undici, a devDependency here) as the reference point.
 * Rounds interleave the clients; medians are printed, then ratios.
 */

import { spawn } from 'node:child_process'
import { Redis } from '@upstash/redis'
import { Agent, request } from 'undici'
import { nodeFetch } from '../../adapters/node/http-fetch.ts'
import { createHttpClient } from '../../src/client/http/client.ts'
import type { FetchLike } from '../../src/client/http/exchange.ts'
import { defineScript, scriptSha } from '../../src/client/script.ts'
import { freePort, startValkey } from '../../test/support/valkey.ts'
import { pairedRatio, report } from '../report.ts'
import { median, percentile } from '../stats.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SEQUENTIAL = Number(process.env.SEQUENTIAL ?? 1500)
const CONCURRENT = Number(process.env.CONCURRENT ?? 10_000)
const TOKEN = 'bench-token-0123456789abcdef'

type Call = (i: number) => Promise<unknown>
interface Target {
  name: string
  incr: Call
  evalsha: Call
}

const script = defineScript({
  name: 'fixedWindow',
  lua: `-- KEYS[1] counter; ARGV[1] window ms
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
})

const startBridge = async (upstream: string): Promise<{ url: string; stop(): void }> => {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/bridge/node/cli.ts',
      'bridge',
      '--listen',
      `127.0.0.1:${port}`,
      '--upstream',
      upstream,
      '--token',
      TOKEN,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], cwd: new URL('../..', import.meta.url).pathname },
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bridge did not start in 20 s')), 20_000)
    child.once('exit', (code) => reject(new Error(`the bridge exited with ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  child.stdout!.resume()
  return { url: `http://127.0.0.1:${port}`, stop: () => void child.kill('SIGTERM') }
}

interface Run {
  rate: number
  p50: number
  p99: number
  /** This (client) process's CPU time per call, µs: the HTTP tax, less sensitive to a busy machine. */
  cpu: number
}

/** `total` calls from `concurrency` loops; per-call latency in µs. */
const measure = async (call: Call, concurrency: number, total: number): Promise<Run> => {
  const latencies = new Float64Array(total)
  let next = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t = performance.now()
        await call(i)
        latencies[i] = (performance.now() - t) * 1000
      }
    }),
  )
  const elapsed = performance.now() - started
  const used = process.cpuUsage(cpu)
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  return {
    rate: (total / elapsed) * 1000,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    cpu: (used.user + used.system) / total,
  }
}

const valkey = await startValkey()
const bridge = await startBridge(valkey.url)
const fast = nodeFetch()
const sha = await scriptSha(script)
const ours = (name: string, options: Parameters<typeof createHttpClient>[0]): Target => {
  const client = createHttpClient(options)
  return {
    name,
    incr: () => client.send(['INCR', 'bench:incr']),
    evalsha: (i) => client.eval(script, [`bench:fw:${i % 100}`], [60_000]),
  }
}
const dispatcher = new Agent({ keepAliveTimeout: 4000, connections: 64 })
const undiciFetch: FetchLike = async (url, init) => {
  const response = await request(url, { ...init, dispatcher })
  const body = await response.body.text()
  return {
    status: response.statusCode,
    headers: { get: (name) => (response.headers[name.toLowerCase()] as string | undefined) ?? null },
    text: async () => body,
  }
}
const upstash = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false })
const targets: Target[] = [
  ours('floodgate + fetch', { url: bridge.url, token: TOKEN }),
  ours('floodgate + nodeFetch', { url: bridge.url, token: TOKEN, fetch: fast }),
  {
    name: '@upstash/redis',
    incr: () => upstash.incr('bench:incr'),
    evalsha: (i) => upstash.evalsha(sha, [`bench:fw:${i % 100}`], [60_000]),
  },
  ours('floodgate + fetch, no auto-pipelining', { url: bridge.url, token: TOKEN, autoPipeline: false }),
  ours('floodgate + nodeFetch, no auto-pipelining', {
    url: bridge.url,
    token: TOKEN,
    fetch: fast,
    autoPipeline: false,
  }),
  // The reference the research measured (~285 µs per call): what an optional undici dependency would buy.
  ours('floodgate + undici.request, no auto-pipelining', {
    url: bridge.url,
    token: TOKEN,
    fetch: undiciFetch,
    autoPipeline: false,
  }),
]

valkey.cli('SCRIPT', 'LOAD', script.lua)
const results = new Map<string, Run[]>()
const modes = [
  ['INCR', 'c=1', 1, SEQUENTIAL],
  ['INCR', 'c=50', 50, CONCURRENT],
  ['EVALSHA', 'c=1', 1, SEQUENTIAL],
  ['EVALSHA', 'c=50', 50, CONCURRENT],
] as const
try {
  for (const target of targets) {
    await measure(target.incr, 10, 500) // warm-up: connections, JIT
    await measure(target.evalsha, 10, 500)
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [op, label, concurrency, total] of modes) {
      for (const target of targets) {
        const run = await measure(op === 'INCR' ? target.incr : target.evalsha, concurrency, total)
        const key = `${op} ${label}|${target.name}`
        results.set(key, [...(results.get(key) ?? []), run])
      }
    }
  }
} finally {
  fast.close()
  await dispatcher.close()
  bridge.stop()
  await valkey.stop()
}

const summary = (key: string): Run => {
  const runs = results.get(key)!
  const of = (field: keyof Run) => median(runs.map((r) => r[field]))
  return { rate: of('rate'), p50: of('p50'), p99: of('p99'), cpu: of('cpu') }
}
const columns = (cells: Array<string | number>) =>
  cells.map((cell, i) => (i === 0 ? String(cell).padEnd(44) : String(cell).padStart(9))).join(' ')
console.log(
  `one client process, bridge (1 process) in front of one valkey-server; medians of ${ROUNDS} rounds`,
)
for (const [op, label] of modes) {
  console.log(`\n${op} ${label}`)
  console.log(columns(['client', 'calls/s', 'p50 µs', 'p99 µs', 'CPU µs/call']))
  for (const target of targets) {
    const s = summary(`${op} ${label}|${target.name}`)
    console.log(
      columns([target.name, s.rate.toFixed(0), s.p50.toFixed(0), s.p99.toFixed(0), s.cpu.toFixed(0)]),
    )
  }
  const of = (name: string) => summary(`${op} ${label}|${name}`)
  const [fast, slow, peer] = [of('floodgate + nodeFetch'), of('floodgate + fetch'), of('@upstash/redis')]
  console.log(
    `ratios: calls/s nodeFetch/@upstash ${(fast.rate / peer.rate).toFixed(2)}x, fetch/@upstash ${(slow.rate / peer.rate).toFixed(2)}x, ` +
      `nodeFetch/fetch ${(fast.rate / slow.rate).toFixed(2)}x; p50 nodeFetch/@upstash ${(fast.p50 / peer.p50).toFixed(2)}x; ` +
      `CPU per call @upstash/nodeFetch ${(peer.cpu / fast.cpu).toFixed(2)}x, fetch/nodeFetch ${(slow.cpu / fast.cpu).toFixed(2)}x; ` +
      `one request per call, CPU fetch/nodeFetch ${(of('floodgate + fetch, no auto-pipelining').cpu / of('floodgate + nodeFetch, no auto-pipelining').cpu).toFixed(2)}x, ` +
      `undici.request/nodeFetch ${(of('floodgate + undici.request, no auto-pipelining').cpu / of('floodgate + nodeFetch, no auto-pipelining').cpu).toFixed(2)}x`,
  )
}

const rounds = (key: string, field: 'rate' | 'cpu') => results.get(key)!.map((run) => run[field])
const inFlight = (label: string) => `${label.replace('c=', '')} in flight`
report('HTTP client calls/s through the bridge, floodgate (nodeFetch) / @upstash/redis', [
  ...modes.map(([op, label]) =>
    pairedRatio(
      `${op}, ${inFlight(label)}`,
      rounds(`${op} ${label}|floodgate + nodeFetch`, 'rate'),
      rounds(`${op} ${label}|@upstash/redis`, 'rate'),
    ),
  ),
  ...modes.map(([op, label]) =>
    pairedRatio(
      `client CPU per call, @upstash/redis / ours, ${op}, ${inFlight(label)}`,
      rounds(`${op} ${label}|@upstash/redis`, 'cpu'),
      rounds(`${op} ${label}|floodgate + nodeFetch`, 'cpu'),
    ),
  ),
])
