/**
 * Our own TCP client straight to Valkey, the reference the bridge is measured against: INCR from
 * `concurrency` async loops for `seconds`, with per-command latency.
 */
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'

export interface DirectResult {
  ops: number
  p50us: number
  p99us: number
}

export const direct = async (url: string, seconds: number, concurrency: number): Promise<DirectResult> => {
  const client = createTcpClient({ url, connect })
  await client.send(['PING'])
  const latencies: number[] = []
  const until = performance.now() + seconds * 1000
  const loop = async () => {
    while (performance.now() < until) {
      const t0 = performance.now()
      await client.send(['INCR', 'bench:direct'])
      latencies.push(performance.now() - t0)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, loop))
  const elapsed = (performance.now() - started) / 1000
  await client.close()
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 1000)
  return { ops: latencies.length / elapsed, p50us: at(0.5), p99us: at(0.99) }
}
