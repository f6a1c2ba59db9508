import { describe, expect, it } from 'vitest'
import { Metrics } from '../../src/bridge/metrics.ts'

describe('Metrics', () => {
  it('renders requests by endpoint and status, a cumulative latency histogram and the gauges', () => {
    const metrics = new Metrics()
    metrics.request('command', 200, 0.0004)
    metrics.request('command', 200, 0.003)
    metrics.request('command', 400, 20)
    metrics.upstreamError('timeout')
    metrics.inFlight = 3
    const text = metrics.render()
    expect(text).toContain('floodgate_bridge_requests_total{endpoint="command",status="200"} 2')
    expect(text).toContain('floodgate_bridge_requests_total{endpoint="command",status="400"} 1')
    expect(text).toContain(
      'floodgate_bridge_request_duration_seconds_bucket{endpoint="command",le="0.0005"} 1',
    )
    expect(text).toContain(
      'floodgate_bridge_request_duration_seconds_bucket{endpoint="command",le="0.005"} 2',
    )
    expect(text).toContain('floodgate_bridge_request_duration_seconds_bucket{endpoint="command",le="10"} 2')
    expect(text).toContain('floodgate_bridge_request_duration_seconds_bucket{endpoint="command",le="+Inf"} 3')
    expect(text).toContain('floodgate_bridge_request_duration_seconds_count{endpoint="command"} 3')
    expect(text).toContain('floodgate_bridge_upstream_errors_total{kind="timeout"} 1')
    expect(text).toContain('floodgate_bridge_inflight_commands 3')
    expect(text).toContain('# TYPE floodgate_bridge_open_connections gauge')
  })
})

describe('Metrics snapshots', () => {
  it('sums the counters of several processes', () => {
    const a = new Metrics()
    const b = new Metrics()
    a.request('command', 200, 0.0004)
    b.request('command', 200, 0.003)
    b.request('pipeline', 503, 0.001)
    b.upstreamError('unavailable')
    a.openConnections = 2
    b.openConnections = 3
    const total = new Metrics()
    for (const m of [a, b]) total.absorb(JSON.parse(JSON.stringify(m.snapshot())))
    const text = total.render()
    expect(text).toContain('floodgate_bridge_requests_total{endpoint="command",status="200"} 2')
    expect(text).toContain('floodgate_bridge_requests_total{endpoint="pipeline",status="503"} 1')
    expect(text).toContain(
      'floodgate_bridge_request_duration_seconds_bucket{endpoint="command",le="0.0005"} 1',
    )
    expect(text).toContain('floodgate_bridge_request_duration_seconds_count{endpoint="command"} 2')
    expect(text).toContain('floodgate_bridge_upstream_errors_total{kind="unavailable"} 1')
    expect(text).toContain('floodgate_bridge_open_connections 5')
  })
})
