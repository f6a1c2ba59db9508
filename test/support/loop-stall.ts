/**
 * Test support, loaded into a bridge process with `--import` (see `spawnBridge`'s `nodeArgs`):
 * measures how long the process's event loop stalls. A timer ticks every 2 ms; the longest gap
 * between two ticks is the longest stall, and the CPU time the process spent within that gap tells
 * a stall of its own work (CPU ≈ wall) from a wait for a core on a loaded machine (CPU ≪ wall).
 * On SIGUSR2 it writes `loop-stall {"wallMs":…,"cpuMs":…,"busiestMs":…}` to stderr and starts over:
 * `wallMs` the longest gap, `cpuMs` the CPU time within it, `busiestMs` the most CPU time within
 * any one gap (the longest stretch of work that never returned to the loop), `gcMs` the longest
 * garbage-collection pause.
 */
import { PerformanceObserver } from 'node:perf_hooks'
import { cpuUsage } from 'node:process'

const TICK_MS = 2
let lastWall = performance.now()
let lastCpu = cpuUsage()
let wallMs = 0
let cpuMs = 0
let busiestMs = 0
let gcMs = 0

// Garbage-collection pauses, reported apart: they stall the loop too, but are not the request's own code.
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration)
}).observe({ entryTypes: ['gc'] })

setInterval(() => {
  const wall = performance.now()
  const cpu = cpuUsage()
  const gap = wall - lastWall
  const spent = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000
  if (gap > wallMs) {
    wallMs = gap
    cpuMs = spent
  }
  busiestMs = Math.max(busiestMs, spent)
  lastWall = wall
  lastCpu = cpu
}, TICK_MS).unref()

process.on('SIGUSR2', () => {
  const round = (ms: number) => Math.round(ms * 10) / 10
  process.stderr.write(
    `loop-stall ${JSON.stringify({ wallMs: round(wallMs), cpuMs: round(cpuMs), busiestMs: round(busiestMs), gcMs: round(gcMs) })}\n`,
  )
  wallMs = 0
  cpuMs = 0
  busiestMs = 0
  gcMs = 0
})
