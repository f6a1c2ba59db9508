/**
 * The bridge's Prometheus metrics, kept in plain counters (no dependency) and rendered in the
 * text exposition format 0.0.4: requests by endpoint and status, a latency histogram per
 * endpoint, upstream errors by kind, open client connections, open SSE streams and commands
 * in flight upstream.
 */

/** Histogram bucket upper bounds, in seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length + 1).fill(0)
  sum = 0
  count = 0
  observe(seconds: number): void {
    let i = 0
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++
    this.counts[i]!++
    this.sum += seconds
    this.count++
  }
}

/** A plain copy of the counters, for sending between processes (`--workers`). */
export interface MetricsSnapshot {
  requests: Array<[string, number]>
  latency: Array<[string, { counts: number[]; sum: number; count: number }]>
  upstreamErrors: Array<[string, number]>
  openConnections: number
  openStreams: number
  inFlight: number
}

/**
 * Counters for one bridge process.
 *
 * @example
 * const metrics = new Metrics()
 * metrics.request('command', 200, 0.0012)
 * metrics.render() // '# HELP floodgate_bridge_requests_total ...'
 */
export class Metrics {
  readonly #requests = new Map<string, number>()
  readonly #latency = new Map<string, Histogram>()
  readonly #upstreamErrors = new Map<string, number>()
  /** Client connections open to the bridge (the Node server keeps this up to date). */
  openConnections = 0
  /** SSE subscribe streams open. */
  openStreams = 0
  /** Commands sent upstream and not answered yet. */
  inFlight = 0
  /**
   * More series rendered after these on every scrape, once per process and never summed over
   * `--workers`: Valkey's state (valkey-metrics.ts), an embedding app's own counters.
   */
  readonly collectors: Array<() => string | Promise<string>> = []

  /** The collectors' output, concatenated. */
  async collect(): Promise<string> {
    let text = ''
    for (const collector of this.collectors) text += await collector()
    return text
  }

  /** Counts one finished request. */
  request(endpoint: string, status: number, seconds: number): void {
    const key = `${endpoint} ${status}`
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1)
    let histogram = this.#latency.get(endpoint)
    if (!histogram) {
      histogram = new Histogram()
      this.#latency.set(endpoint, histogram)
    }
    histogram.observe(seconds)
  }

  /** Counts one upstream failure: `timeout`, `unavailable` or `protocol`. */
  upstreamError(kind: string): void {
    this.#upstreamErrors.set(kind, (this.#upstreamErrors.get(kind) ?? 0) + 1)
  }

  /** The counters as plain data. */
  snapshot(): MetricsSnapshot {
    return {
      requests: [...this.#requests],
      latency: [...this.#latency].map(([e, h]) => [e, { counts: [...h.counts], sum: h.sum, count: h.count }]),
      upstreamErrors: [...this.#upstreamErrors],
      openConnections: this.openConnections,
      openStreams: this.openStreams,
      inFlight: this.inFlight,
    }
  }

  /** Adds another process's counters to these (to render the sum over `--workers`). */
  absorb(other: MetricsSnapshot): void {
    for (const [key, n] of other.requests) this.#requests.set(key, (this.#requests.get(key) ?? 0) + n)
    for (const [kind, n] of other.upstreamErrors) {
      this.#upstreamErrors.set(kind, (this.#upstreamErrors.get(kind) ?? 0) + n)
    }
    for (const [endpoint, h] of other.latency) {
      let mine = this.#latency.get(endpoint)
      if (!mine) {
        mine = new Histogram()
        this.#latency.set(endpoint, mine)
      }
      for (let i = 0; i < mine.counts.length; i++) mine.counts[i]! += h.counts[i] ?? 0
      mine.sum += h.sum
      mine.count += h.count
    }
    this.openConnections += other.openConnections
    this.openStreams += other.openStreams
    this.inFlight += other.inFlight
  }

  render(): string {
    const out: string[] = []
    out.push('# HELP floodgate_bridge_requests_total HTTP requests answered, by endpoint and status.')
    out.push('# TYPE floodgate_bridge_requests_total counter')
    for (const [key, n] of this.#requests) {
      const [endpoint, status] = key.split(' ')
      out.push(`floodgate_bridge_requests_total{endpoint="${endpoint}",status="${status}"} ${n}`)
    }
    out.push('# HELP floodgate_bridge_request_duration_seconds Time from request to response, by endpoint.')
    out.push('# TYPE floodgate_bridge_request_duration_seconds histogram')
    for (const [endpoint, h] of this.#latency) {
      let cumulative = 0
      for (let i = 0; i < BUCKETS.length; i++) {
        cumulative += h.counts[i]!
        out.push(
          `floodgate_bridge_request_duration_seconds_bucket{endpoint="${endpoint}",le="${BUCKETS[i]}"} ${cumulative}`,
        )
      }
      out.push(
        `floodgate_bridge_request_duration_seconds_bucket{endpoint="${endpoint}",le="+Inf"} ${h.count}`,
      )
      out.push(`floodgate_bridge_request_duration_seconds_sum{endpoint="${endpoint}"} ${h.sum}`)
      out.push(`floodgate_bridge_request_duration_seconds_count{endpoint="${endpoint}"} ${h.count}`)
    }
    out.push('# HELP floodgate_bridge_upstream_errors_total Upstream failures, by kind.')
    out.push('# TYPE floodgate_bridge_upstream_errors_total counter')
    for (const [kind, n] of this.#upstreamErrors) {
      out.push(`floodgate_bridge_upstream_errors_total{kind="${kind}"} ${n}`)
    }
    const gauge = (name: string, help: string, value: number) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`)
    gauge('floodgate_bridge_open_connections', 'Client connections open to the bridge.', this.openConnections)
    gauge('floodgate_bridge_open_streams', 'Subscribe (SSE) streams open.', this.openStreams)
    gauge('floodgate_bridge_inflight_commands', 'Commands sent upstream, not answered yet.', this.inFlight)
    return `${out.join('\n')}\n`
  }
}
