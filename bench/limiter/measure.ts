/**
 * The measuring loop for the limiter bench: `concurrency` async workers each awaiting one
 * decision at a time, `n` decisions in all after a warm-up, the latency of every decision kept.
 */

export interface Figures {
  readonly opsPerSec: number
  /** Latency percentiles in microseconds. */
  readonly p50: number
  readonly p99: number
}

export type Decide = (identifier: string) => Promise<unknown>

const IDENTIFIERS = Array.from({ length: 10_000 }, (_, i) => `user-${i}`)

export const measure = async (
  decide: Decide,
  concurrency: number,
  n: number,
  latencies = true,
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
  await run(Math.min(2000, n))
  const lat = latencies ? new Float64Array(n) : undefined
  const ms = await run(n, lat)
  if (lat === undefined) return { opsPerSec: (n / ms) * 1000, p50: Number.NaN, p99: Number.NaN }
  lat.sort()
  const at = (q: number) => lat[Math.min(n - 1, Math.floor(q * n))]! * 1000
  return { opsPerSec: (n / ms) * 1000, p50: at(0.5), p99: at(0.99) }
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
