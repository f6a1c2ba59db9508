/**
 * `npm run bench bridge`: the HTTP-to-RESP bridge against its peers on one valkey-server, with
 * the same load generator (wrk -t1) at the same concurrency, in interleaved rounds:
 *   (a) INCR through the bridge (one process, and --workers 2), (b) /pipeline of 10 INCRs,
 *   (c) webdis (Debian) INCR, (d) our TCP client direct, (e) a do-nothing node:http POST server,
 *   plus EVALSHA through the bridge, the p50 latency it adds at concurrency 1, and the same
 *   handler served through `Request`/`Response` objects (what the Node server avoids).
 * Prints medians (req/s, commands/s, p50, p99) and per-round ratios against the targets.
 * BENCH_SECONDS (default 5) and BENCH_ROUNDS (default 3) trade time for stability.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startValkey } from '../../test/support/valkey.ts'
import { pairedRatio, report } from '../report.ts'
import { median } from '../stats.ts'
import { direct } from './direct.ts'
import {
  bundle,
  cpuMicros,
  type Started,
  startBridgeCli,
  startNoop,
  startWebBridge,
  startWebdis,
} from './servers.ts'
import { postScript, type WrkResult, wrk } from './wrk.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 50
const TOKEN = 'bench-token-0123456789abcdef'
const FW_LUA = "local v = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return v"

interface Sample extends WrkResult {
  commands: number
  /** CPU µs per request of the server under test (all its processes), when measured. */
  cpu?: number
}

/** Runs `measure` and adds the CPU the server's processes spent per request. */
const withCpu = async (
  server: Started,
  commands: number,
  measure: () => Promise<WrkResult>,
): Promise<Sample> => {
  const pids = server.pids()
  const before = cpuMicros(pids)
  const result = await measure()
  const requests = result.rps * SECONDS
  return { ...result, commands, cpu: (cpuMicros(pids) - before) / requests }
}

const dir = mkdtempSync(join(tmpdir(), 'floodgate-bench-bridge-'))
const valkey = await startValkey()
const started: Started[] = []
try {
  const sha = valkey.cli('SCRIPT', 'LOAD', FW_LUA)
  const cli = await bundle('../../src/bridge/node/cli.ts', dir)
  const bridge = await startBridgeCli(cli, valkey.url, TOKEN)
  started.push(bridge)
  const bridge2 = await startBridgeCli(cli, valkey.url, TOKEN, 2)
  started.push(bridge2)
  const web = await startWebBridge(await bundle('web-server.ts', dir), valkey.url, TOKEN)
  started.push(web)
  const noop = await startNoop()
  started.push(noop)
  const webdis = await startWebdis(dir, valkey.port)
  started.push(webdis)

  const incr = postScript(dir, 'incr', '["INCR","bench:k"]', TOKEN)
  const pipe = postScript(
    dir,
    'pipe',
    JSON.stringify(Array.from({ length: 10 }, (_, i) => ['INCR', `bench:p${i}`])),
    TOKEN,
  )
  const evalsha = postScript(dir, 'evalsha', JSON.stringify(['EVALSHA', sha, '1', 'rl:bench', '1000']), TOKEN)

  const http =
    (server: Started, path: string, commands: number, script?: string, connections = CONNECTIONS) =>
    () =>
      withCpu(server, commands, () =>
        wrk(server.url + path, { seconds: SECONDS, connections, ...(script ? { script } : {}) }),
      )
  const tcp = (connections: number) => async (): Promise<Sample> => {
    const r = await direct(valkey.url, SECONDS, connections)
    return { rps: r.ops, p50us: r.p50us, p99us: r.p99us, errors: 0, commands: 1 }
  }
  const targets: Record<string, () => Promise<Sample>> = {
    'bridge INCR': http(bridge, '/', 1, incr),
    'bridge --workers 2 INCR': http(bridge2, '/', 1, incr),
    'bridge /pipeline x10': http(bridge, '/pipeline', 10, pipe),
    'bridge EVALSHA': http(bridge, '/', 1, evalsha),
    'bridge INCR via Request/Response': http(web, '/', 1, incr),
    'webdis INCR': http(webdis, '/INCR/bench:w', 1),
    'node:http no-op POST': http(noop, '/', 1, incr),
    'TCP client direct INCR': tcp(CONNECTIONS),
    'bridge INCR, c=1': http(bridge, '/', 1, incr, 1),
    'TCP client direct INCR, c=1': tcp(1),
  }

  // Warm-up: JIT, connections, the script cache.
  for (const [url, script] of [
    [bridge.url, incr],
    [bridge2.url, incr],
    [bridge.url, evalsha],
    [`${bridge.url}/pipeline`, pipe],
    [noop.url, incr],
    [web.url, incr],
  ] as const) {
    await wrk(url, { seconds: 1, connections: 10, script })
  }
  await wrk(`${webdis.url}/INCR/bench:w`, { seconds: 1, connections: 10 })

  const samples: Record<string, Sample[]> = {}
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, run] of Object.entries(targets)) {
      const sample = await run()
      if (sample.errors > 0) throw new Error(`${name}: ${sample.errors} non-2xx answers or socket errors`)
      samples[name] = [...(samples[name] ?? []), sample]
      console.log(
        `round ${round}  ${name.padEnd(34)} ${Math.round(sample.rps).toString().padStart(7)} req/s  p50 ${sample.p50us} µs`,
      )
    }
  }

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  // The machine is shared: say how busy it was, since every absolute figure moves with it.
  console.log(
    `\nload average at the end: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} (2 cores)`,
  )
  console.log(
    `\nwrk -t1 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} interleaved rounds, medians (c=1 rows: one connection)`,
  )
  console.log(
    `${'target'.padEnd(34)}${'req/s'.padStart(10)}${'commands/s'.padStart(12)}${'p50 µs'.padStart(9)}${'p99 µs'.padStart(9)}${'server CPU µs/req'.padStart(19)}`,
  )
  for (const [name, list] of Object.entries(samples)) {
    const rps = median(list.map((s) => s.rps))
    console.log(
      `${name.padEnd(34)}${fmt(rps).padStart(10)}${fmt(rps * list[0]!.commands).padStart(12)}${fmt(median(list.map((s) => s.p50us))).padStart(9)}${fmt(median(list.map((s) => s.p99us))).padStart(9)}${(list[0]!.cpu === undefined ? '-' : median(list.map((s) => s.cpu!)).toFixed(1)).padStart(19)}`,
    )
  }

  /** The median over rounds of a per-round ratio (paired, so machine drift cancels). */
  const ratio = (f: (round: Record<string, Sample>) => number): number =>
    median(
      Array.from({ length: ROUNDS }, (_, i) =>
        f(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v[i]!]))),
      ),
    )
  const checks: Array<[string, number, string, boolean]> = []
  const check = (label: string, value: number, target: number, higher = true, unit = 'x') =>
    checks.push([
      label,
      value,
      `${higher ? '>=' : '<='} ${target}${unit}`,
      higher ? value >= target : value <= target,
    ])
  check(
    'bridge INCR / no-op node:http POST',
    ratio((r) => r['bridge INCR']!.rps / r['node:http no-op POST']!.rps),
    0.9,
  )
  check(
    'bridge INCR / webdis INCR',
    ratio((r) => r['bridge INCR']!.rps / r['webdis INCR']!.rps),
    0.6,
  )
  check(
    'bridge --workers 2 INCR / webdis INCR',
    ratio((r) => r['bridge --workers 2 INCR']!.rps / r['webdis INCR']!.rps),
    0.85,
  )
  check(
    'bridge /pipeline x10 commands/s / webdis',
    ratio((r) => (10 * r['bridge /pipeline x10']!.rps) / r['webdis INCR']!.rps),
    4,
  )
  check(
    'bridge EVALSHA / bridge INCR',
    ratio((r) => r['bridge EVALSHA']!.rps / r['bridge INCR']!.rps),
    0.8,
  )
  check(
    'added p50 at c=1 over direct TCP (µs)',
    ratio((r) => r['bridge INCR, c=1']!.p50us - r['TCP client direct INCR, c=1']!.p50us),
    150,
    false,
    ' µs',
  )
  console.log(`\n${'ratio (median of per-round ratios)'.padEnd(44)}${'value'.padStart(8)}  target`)
  for (const [label, value, target, ok] of checks) {
    console.log(
      `${label.padEnd(44)}${value.toFixed(label.includes('µs') ? 0 : 2).padStart(8)}  ${target}  ${ok ? 'met' : 'MISSED'}`,
    )
  }
  console.log(
    `bridge /pipeline x10: ${fmt(median(samples['bridge /pipeline x10']!.map((s) => s.rps * 10)))} commands/s (reference: >= ~110k here)`,
  )
  const rps = (name: string) => samples[name]!.map((s) => s.rps)
  report(
    'The bridge against its peers (wrk -t1 -c50)',
    [
      pairedRatio('INCR / no-op node:http POST server', rps('bridge INCR'), rps('node:http no-op POST'), 0.9),
      pairedRatio('INCR / webdis INCR', rps('bridge INCR'), rps('webdis INCR'), 0.6),
      pairedRatio('--workers 2 INCR / webdis INCR', rps('bridge --workers 2 INCR'), rps('webdis INCR'), 0.85),
      pairedRatio(
        '/pipeline of 10, commands/s / webdis',
        rps('bridge /pipeline x10').map((r) => r * 10),
        rps('webdis INCR'),
        4,
      ),
      pairedRatio('EVALSHA / INCR through the bridge', rps('bridge EVALSHA'), rps('bridge INCR'), 0.8),
    ],
    [
      {
        label: 'INCR through one bridge process',
        value: Math.round(median(rps('bridge INCR'))),
        unit: 'requests/s',
      },
      {
        label: '/pipeline of 10',
        value: Math.round(median(rps('bridge /pipeline x10')) * 10),
        unit: 'commands/s',
      },
      {
        label: 'p50 added over the direct TCP client, 1 in flight',
        value: Math.round(checks.find(([label]) => label.includes('µs'))![1]),
        unit: 'µs',
      },
    ],
  )
} finally {
  for (const s of started.reverse()) await s.stop()
  await valkey.stop()
  rmSync(dir, { recursive: true, force: true })
}
