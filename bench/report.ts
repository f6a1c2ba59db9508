/**
 * The one place a benchmark's figures become data: `report()` writes `bench/results/<bench>.json`
 * (gitignored) with the machine and the date, in the shape `bench/charts.ts` renders as SVG bar
 * charts. The committed chart data lives in `docs/perf/<bench>.json`, same shape.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { argv } from 'node:process'
import { median } from './stats.ts'

/** One bar: our figure over a peer's (or a baseline's); higher is better. */
export interface Ratio {
  readonly label: string
  /** The median (of per-round ratios, or of runs); absent when only a range was recorded. */
  readonly value?: number
  /** The lowest and highest of the rounds (or runs) the value is the median of. */
  readonly low?: number
  readonly high?: number
  /** The ratio the design asks for, drawn as a tick on the bar. */
  readonly target?: number
}

/** An absolute figure printed next to the chart (it moves with the machine; ratios do not). */
export interface Figure {
  readonly label: string
  readonly value: number | string
  readonly unit?: string
}

export interface Report {
  readonly bench: string
  readonly title: string
  readonly date: string
  readonly machine: {
    readonly cpu: string
    readonly cores: number
    readonly node: string
    readonly load?: string
  }
  readonly ratios: readonly Ratio[]
  readonly figures?: readonly Figure[]
}

/** The CPU model as /proc/cpuinfo names it (Linux), else what Node reports. */
const cpuModel = (): string => {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)
    if (line?.[1]) return line[1].trim()
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? 'unknown'
}

/** The bench's name: the folder of the script that was run (`bench/limiter/index.ts` -> `limiter`). */
const benchName = (): string => basename(dirname(argv[1] ?? 'bench/unknown/index.ts'))

/**
 * Writes this run's ratios and figures to `bench/results/<bench>.json` and says where.
 *
 * @example
 * report('Limiter decisions/s, floodgate / peer', [{ label: 'TCP / rate-limiter-flexible, 50 in flight', value: 1.7, low: 1.4, high: 1.8, target: 1.5 }])
 */
export const report = (title: string, ratios: readonly Ratio[], figures: readonly Figure[] = []): Report => {
  const bench = benchName()
  const result: Report = {
    bench,
    title,
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cpu: cpuModel(),
      cores: cpus().length,
      node: process.version,
      load: loadavg()
        .map((n) => n.toFixed(1))
        .join(' '),
    },
    ratios,
    figures,
  }
  const dir = join(import.meta.dirname, 'results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${bench}.json`)
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`figures written to ${file} (render with: npm run bench:charts -- bench/results)`)
  return result
}

/** A ratio from per-round pairs: the median and the range of `ours[i] / theirs[i]`. */
export const pairedRatio = (
  label: string,
  ours: readonly number[],
  theirs: readonly number[],
  target?: number,
): Ratio => {
  const perRound = ours.map((a, i) => a / theirs[i]!)
  return {
    label,
    value: median(perRound),
    low: Math.min(...perRound),
    high: Math.max(...perRound),
    ...(target === undefined ? {} : { target }),
  }
}
