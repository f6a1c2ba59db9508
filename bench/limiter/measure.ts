/**
 * The measuring loop for the limiter bench: `concurrency` async workers each awaiting one
 * decision at a time, `n` decisions in all after a warm-up, the latency of every decision kept.
 */

import { readFileSync } from 'node:fs'
import { median } from '../stats.ts'

export interface Figures {
  readonly opsPerSec: number
  /** CPU µs per decision spent by this process and, when their pids are given, by Valkey and the bridge. */
  readonly clientCpu: number
  readonly serverCpu: number
  readonly bridgeCpu: number
  /** Latency percentiles in microseconds. */
  readonly p50: number
  readonly p99: number
}

export type Decide = (identifier: string) => Promise<unknown>

const IDENTIFIERS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`)

/** CPU time (user + system) of process `pid` so far, in µs, read from /proc (Linux). */
export const processCpu = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100 // clock ticks at USER_HZ 100
  } catch {
    return Number.NaN
  }
}

/**
 * Decisions run before the measured `n`: a tenth of them, at least 2,000 (at most `n`). The memory
 * backend's million decisions per round reach V8's optimised code only well after the first 2,000.
 */
export const warmup = (n: number): number => Math.min(n, Math.max(2000, Math.round(n / 10)))

export const measure = async (
  decide: Decide,
  concurrency: number,
  n: number,
  latencies = true,
  serverPid?: number,
  bridgePid?: number,
): Promise<Figures> => {
  const run = async (count: number, lat?: Float64Array) => {
    let next = 0
    const worker = async () => {
      while (next < count) {
        const i = next++
        const id = IDENTIFIERS[i % IDENTIFIERS.length]!
        if (lat === undefined) {
          await decide(id)
          continue
        }
        const started = performance.now()
        await decide(id)
        lat[i] = performance.now() - started
      }
    }
    const started = performance.now()
    await Promise.all(Array.from({ length: concurrency }, worker))
    return performance.now() - started
  }
  await run(warmup(n))
  const lat = latencies ? new Float64Array(n) : undefined
  const server0 = serverPid === undefined ? Number.NaN : processCpu(serverPid)
  const bridge0 = bridgePid === undefined ? Number.NaN : processCpu(bridgePid)
  const client0 = process.cpuUsage()
  const ms = await run(n, lat)
  const client = process.cpuUsage(client0)
  const cpu = {
    clientCpu: (client.user + client.system) / n,
    serverCpu: serverPid === undefined ? Number.NaN : (processCpu(serverPid) - server0) / n,
    bridgeCpu: bridgePid === undefined ? Number.NaN : (processCpu(bridgePid) - bridge0) / n,
  }
  if (lat === undefined) return { opsPerSec: (n / ms) * 1000, p50: Number.NaN, p99: Number.NaN, ...cpu }
  lat.sort()
  const at = (q: number) => lat[Math.min(n - 1, Math.floor(q * n))]! * 1000
  return { opsPerSec: (n / ms) * 1000, p50: at(0.5), p99: at(0.99), ...cpu }
}

/** Each figure's median over rounds. */
export const medianFigures = (runs: readonly Figures[]): Figures => ({
  opsPerSec: median(runs.map((f) => f.opsPerSec)),
  clientCpu: median(runs.map((f) => f.clientCpu)),
  serverCpu: median(runs.map((f) => f.serverCpu)),
  bridgeCpu: median(runs.map((f) => f.bridgeCpu)),
  p50: median(runs.map((f) => f.p50)),
  p99: median(runs.map((f) => f.p99)),
})

export { median }
