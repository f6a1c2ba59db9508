/**
 * docs/performance.md embeds docs/perf/<bench>.svg: each must be what bench/charts.ts renders from
 * the committed docs/perf/<bench>.json, so a figure changed in the data cannot leave a stale chart.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderChart } from '../../bench/chart-svg.ts'
import { pairedRatio, type Report } from '../../bench/report.ts'

const perf = resolve(import.meta.dirname, '../../docs/perf')
const report = (ratios: Report['ratios']): Report => ({
  bench: 'demo',
  title: 'A <demo> & more',
  date: '2026-11-26',
  machine: { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2' },
  ratios,
})
const widths = (svg: string) =>
  [...svg.matchAll(/<rect x="420" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]))

describe('renderChart', () => {
  it('draws bars in proportion to their ratios, from the same origin', () => {
    const [one, two] = widths(
      renderChart(
        report([
          { label: 'a', value: 1 },
          { label: 'b', value: 2 },
        ]),
      ),
    )
    expect(two! / one!).toBeCloseTo(2, 2)
  })

  it('escapes labels and titles, and names the machine and date', () => {
    const svg = renderChart(report([{ label: 'x < y & z', value: 1.5, low: 1.2, high: 1.8, target: 1.3 }]))
    expect(svg).toContain('A &lt;demo&gt; &amp; more')
    expect(svg).toContain('x &lt; y &amp; z')
    expect(svg).toContain('AMD EPYC, 2 cores, Node 20.20.2; measured 2026-11-26')
    expect(svg).toContain('1.50× (1.20–1.80)')
  })

  it('draws a ratio known only as a range as a band, claiming no median', () => {
    const svg = renderChart(report([{ label: 'r', low: 0.65, high: 0.88 }]))
    expect(svg).toContain('0.65–0.88×')
    expect(svg).toContain('fill="#9dbbe0"')
  })
})

describe('pairedRatio', () => {
  it('is the median of per-round ratios, with their range, so a slow round weighs on both sides', () => {
    // Round 2 ran on a slow spell: both sides halved, its ratio unchanged.
    expect(pairedRatio('r', [200, 100, 330], [100, 50, 100], 1.5)).toEqual({
      label: 'r',
      value: 2,
      low: 2,
      high: 3.3,
      target: 1.5,
    })
  })
})

describe('docs/perf', () => {
  const reports = readdirSync(perf).filter((name) => name.endsWith('.json'))

  it('holds the chart data docs/performance.md embeds', () => {
    const page = readFileSync(resolve(perf, '../performance.md'), 'utf8')
    expect(reports.length).toBeGreaterThan(0)
    for (const name of reports) expect(page).toContain(`perf/${name.replace('.json', '.svg')}`)
  })

  it.each(reports)(
    '%s renders to the committed SVG (run `npm run bench:charts` after editing it)',
    (name) => {
      const data = JSON.parse(readFileSync(join(perf, name), 'utf8')) as Report
      const svg = readFileSync(join(perf, name.replace('.json', '.svg')), 'utf8')
      expect(svg).toBe(renderChart(data))
    },
  )
})
