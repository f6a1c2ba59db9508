/**
 * A report's ratios as a horizontal bar chart in plain SVG: one bar per ratio (its median), a
 * whisker over the range of rounds or runs, a tick at the target, and a dashed line at 1x (as fast
 * as the peer). Written by hand so the docs need no chart dependency; pure, so a test can hold the
 * committed SVGs to their JSON.
 */
import type { Ratio, Report } from './report.ts'

const WIDTH = 920
const LABEL = 420 // the label column; bars start after it
const BAR_END = 760 // the right end of the scale; values are printed after it where needed
const ROW = 30
const TOP = 62
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'

const xml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

const fixed = (n: number): string => n.toFixed(2)

/** The scale's right end: the largest figure (or 1x), rounded up to a step of the grid. */
const scaleMax = (ratios: readonly Ratio[]): { max: number; step: number } => {
  const largest = Math.max(
    1,
    ...ratios.flatMap((r) => [r.value, r.high, r.target].filter((n) => n !== undefined)),
  )
  const step = largest <= 1.2 ? 0.25 : largest <= 3 ? 0.5 : largest <= 8 ? 1 : 2
  return { max: Math.ceil((largest * 1.05) / step) * step, step }
}

const label = (r: Ratio): string => {
  const range = r.low !== undefined && r.high !== undefined ? `${fixed(r.low)}–${fixed(r.high)}` : ''
  if (r.value === undefined) return `${range}×`
  return range ? `${fixed(r.value)}× (${range})` : `${fixed(r.value)}×`
}

/**
 * Renders `report` as an SVG document.
 *
 * @example
 * writeFileSync('docs/perf/limiter.svg', renderChart(JSON.parse(readFileSync('docs/perf/limiter.json', 'utf8'))))
 */
export const renderChart = (report: Report): string => {
  const { max, step } = scaleMax(report.ratios)
  const x = (v: number): number => LABEL + ((BAR_END - LABEL) * v) / max
  const height = TOP + report.ratios.length * ROW + 44
  const axisBottom = TOP + report.ratios.length * ROW
  const { cpu, cores, node, load } = report.machine
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" font-size="12" role="img">`,
    `<title>${xml(report.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="#1f2328">${xml(report.title)}</text>`,
    `<text x="16" y="43" fill="#59636e">${xml(`${cpu}, ${cores} cores, Node ${node.replace(/^v/, '')}${load ? `, load average ${load}` : ''}; measured ${report.date}. Higher is better; 1× = the peer.`)}</text>`,
  ]
  for (let v = 0; v <= max + 1e-9; v += step) {
    const at = x(v).toFixed(1)
    const one = Math.abs(v - 1) < 1e-9
    out.push(
      `<line x1="${at}" y1="${TOP - 6}" x2="${at}" y2="${axisBottom}" stroke="${one ? '#59636e' : '#d1d9e0'}"${one ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${at}" y="${axisBottom + 16}" text-anchor="middle" fill="#59636e">${Number(v.toFixed(2))}×</text>`,
    )
  }
  report.ratios.forEach((r, i) => {
    const mid = TOP + i * ROW + ROW / 2
    out.push(`<text x="${LABEL - 10}" y="${mid + 4}" text-anchor="end" fill="#1f2328">${xml(r.label)}</text>`)
    if (r.value !== undefined) {
      out.push(
        `<rect x="${LABEL}" y="${mid - 8}" width="${(x(r.value) - LABEL).toFixed(1)}" height="16" fill="#2f6fb0"/>`,
      )
    } else if (r.low !== undefined && r.high !== undefined) {
      // Only a range was recorded: draw it as a band, with no median to claim.
      out.push(
        `<rect x="${LABEL}" y="${mid - 8}" width="${(x(r.low) - LABEL).toFixed(1)}" height="16" fill="#2f6fb0"/>`,
        `<rect x="${x(r.low).toFixed(1)}" y="${mid - 8}" width="${(x(r.high) - x(r.low)).toFixed(1)}" height="16" fill="#9dbbe0"/>`,
      )
    }
    if (r.value !== undefined && r.low !== undefined && r.high !== undefined) {
      const [a, b] = [x(r.low).toFixed(1), x(r.high).toFixed(1)]
      out.push(
        `<line x1="${a}" y1="${mid}" x2="${b}" y2="${mid}" stroke="#1f2328"/>`,
        `<line x1="${a}" y1="${mid - 5}" x2="${a}" y2="${mid + 5}" stroke="#1f2328"/>`,
        `<line x1="${b}" y1="${mid - 5}" x2="${b}" y2="${mid + 5}" stroke="#1f2328"/>`,
      )
    }
    if (r.target !== undefined) {
      const t = x(r.target).toFixed(1)
      out.push(
        `<line x1="${t}" y1="${mid - 11}" x2="${t}" y2="${mid + 11}" stroke="#d9822b" stroke-width="3"/>`,
      )
    }
    const end = Math.max(...[r.value, r.high, r.target].filter((n) => n !== undefined).map(x), LABEL)
    out.push(`<text x="${(end + 8).toFixed(1)}" y="${mid + 4}" fill="#1f2328">${xml(label(r))}</text>`)
  })
  out.push(
    `<text x="16" y="${height - 10}" fill="#59636e">Bar: median. Whisker: lowest to highest round or run. Light band: range only.</text>`,
    `<line x1="560" y1="${height - 20}" x2="560" y2="${height - 6}" stroke="#d9822b" stroke-width="3"/>`,
    `<text x="568" y="${height - 10}" fill="#59636e">target</text>`,
    '</svg>',
  )
  return `${out.join('\n')}\n`
}
