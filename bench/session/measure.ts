/**
 * The timing harness of the session bench. The machine is shared, so whole seconds can be lost to
 * other processes: variants alternate in short slices (every variant sees the same noise), the
 * median slice rate is reported, and so is CPU time per operation (all threads of this process,
 * so WebCrypto's thread pool counts), which contention disturbs far less than wall time.
 */
import { median } from '../stats.ts'

export interface Measured {
  readonly name: string
  /** ops/s of each slice. */
  readonly rates: number[]
  /** CPU µs per operation over all slices. */
  cpuPerOp: number
}

export { median }

const slice = async (
  ms: number,
  op: () => Promise<void>,
): Promise<{ ops: number; wall: number; cpu: number }> => {
  let ops = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  const end = start + ms
  while (performance.now() < end) {
    await op()
    ops++
  }
  const used = process.cpuUsage(cpu)
  return { ops, wall: performance.now() - start, cpu: used.user + used.system }
}

/** Warms each variant up, then runs `slices` rounds of `sliceMs` per variant, interleaved. */
export const interleave = async (
  variants: ReadonlyArray<readonly [string, () => Promise<void>]>,
  slices: number,
  sliceMs: number,
): Promise<Measured[]> => {
  for (const [, op] of variants) await slice(500, op)
  const results = variants.map(([name]) => ({ name, rates: [] as number[], cpuPerOp: 0, ops: 0, cpu: 0 }))
  for (let round = 0; round < slices; round++) {
    for (const [i, [, op]] of variants.entries()) {
      const { ops, wall, cpu } = await slice(sliceMs, op)
      const result = results[i]!
      result.rates.push((ops * 1000) / wall)
      result.ops += ops
      result.cpu += cpu
    }
  }
  return results.map(({ name, rates, ops, cpu }) => ({ name, rates, cpuPerOp: cpu / ops }))
}

export const summary = ({ rates, cpuPerOp }: Measured): string => {
  const sorted = [...rates].sort((a, b) => a - b)
  const p25 = sorted[Math.floor(sorted.length / 4)]!
  const p75 = sorted[Math.floor((sorted.length * 3) / 4)]!
  return `${Math.round(median(rates))} ops/s (p25 ${Math.round(p25)}, p75 ${Math.round(p75)}), ${Math.round(cpuPerOp)} µs CPU/op`
}
