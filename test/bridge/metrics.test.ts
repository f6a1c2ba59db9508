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
