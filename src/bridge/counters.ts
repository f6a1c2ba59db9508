/**
 * Labelled counters for an app's own floodgate series (limiter decisions per prefix, cache hits
 * and misses), rendered in the Prometheus text format. The bridge only sees commands, not what a
 * limiter decided, so the app that runs the limiter counts; `metrics.collectors.push(c.render)`
 * puts the series on a bridge's `/metrics` when the app embeds one, or the app serves
 * `render()` itself.
 */

import { escapeLabel } from './exposition.ts'

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/

/**
 * A set of counters, each declared with its help text.
 *
 * @example
 * const counters = new Counters({ floodgate_limiter_decisions_total: 'Limiter decisions, by prefix and result.' })
 * const result = await limiter.limit(ip)
 * counters.inc('floodgate_limiter_decisions_total', { prefix: 'api', result: result.success ? 'allowed' : 'denied' })
 * counters.render() // '# HELP floodgate_limiter_decisions_total ...\nfloodgate_limiter_decisions_total{prefix="api",result="allowed"} 1\n'
 */
export class Counters {
  readonly #help: ReadonlyMap<string, string>
  readonly #values = new Map<string, Map<string, number>>()

  constructor(help: Record<string, string>) {
    for (const name of Object.keys(help)) {
      if (!NAME.test(name)) throw new TypeError(`counter name must match ${NAME}, received ${name}`)
    }
    this.#help = new Map(Object.entries(help))
  }

  /** Adds `by` (default 1) to the counter `name` with these labels. */
  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    if (!this.#help.has(name))
      throw new TypeError(`unknown counter ${name}; declare it in new Counters({...})`)
    if (!(by >= 0)) throw new TypeError(`a counter only goes up, received ${by}`)
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',')
    let series = this.#values.get(name)
    if (!series) {
      series = new Map()
      this.#values.set(name, series)
    }
    series.set(key, (series.get(key) ?? 0) + by)
  }

  /** The counters in the text exposition format; a counter never incremented is left out. */
  readonly render = (): string => {
    const out: string[] = []
    for (const [name, series] of this.#values) {
      out.push(`# HELP ${name} ${this.#help.get(name)}`, `# TYPE ${name} counter`)
      for (const [key, n] of series) out.push(`${name}${key ? `{${key}}` : ''} ${n}`)
    }
    return out.length === 0 ? '' : `${out.join('\n')}\n`
  }
}
