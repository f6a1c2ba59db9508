/**
 * `npm run bench durable`: what `waitForReplicas` costs a limiter decision. One valkey-server with
 * one replica (loopback), one TCP client, fixed-window decisions over 100 identifiers, none
 * denied; the same limiter with and without `waitForReplicas(client, { count: 1 })`, interleaved, at 1
 * and 50 decisions in flight. Prints decisions/s, p50 and p99, and the ratios.
 *
 * NOTE: `WAIT` holds the connection's later commands until the replica acknowledges. Over a TCP
 * client the decisions issued together share one WAIT (see src/client/wait-replicas.ts); with one
 * WAIT per decision, 50 in flight measured 0.18–0.30x, every decision queued behind the
 * acknowledgements before it. Across a LAN, add the replica's round trip to every acknowledgement.
 */
import { loadavg } from 'node:os'
import { connect } from '../../src/bridge/node/socket.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import { waitForReplicas } from '../../src/client/wait-replicas.ts'
import { createLimiter, fixedWindow } from '../../src/limit/index.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Ratio, report } from '../report.ts'

const [primary, replica] = await Promise.all([startValkey(), startValkey()])
try {
  replica.cli('REPLICAOF', '127.0.0.1', String(primary.port))
  while (!replica.cli('INFO', 'replication').includes('master_link_status:up')) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const client = createTcpClient({ url: primary.url, connect })
  let seq = 0
  const run = async (durable: boolean, concurrency: number, total: number) => {
    const limiter = createLimiter({
      client: durable ? waitForReplicas(client, { count: 1, timeout: 1000 }) : client,
      limits: fixedWindow(1_000_000, '1 h'),
      prefix: `bench${++seq}`,
      blockCache: false,
      timeout: 5000,
      onTimeout: 'deny',
    })
    const times: number[] = []
    let next = 0
    let failed = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) {
          const start = performance.now()
          const result = await limiter.limit(`id${next % 100}`)
          if (!result.success || result.reason !== undefined) failed++
          times.push(performance.now() - start)
        }
      }),
    )
    const rate = total / ((performance.now() - started) / 1000)
    times.sort((a, b) => a - b)
    return { rate, p50: times[times.length >> 1]!, p99: times[Math.floor(times.length * 0.99)]!, failed }
  }
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  )
  const ratios: Ratio[] = []
  for (const concurrency of [1, 50]) {
    const total = concurrency === 1 ? 3000 : 20_000
    await run(false, concurrency, total) // warm-up
    await run(true, concurrency, total)
    const plain = await run(false, concurrency, total)
    const durable = await run(true, concurrency, total)
    for (const [name, f] of [
      ['without', plain],
      ['with WAIT 1', durable],
    ] as const) {
      console.log(
        `${concurrency} in flight, ${name}: ${f.rate.toFixed(0)} decisions/s, p50 ${f.p50.toFixed(3)} ms, p99 ${f.p99.toFixed(3)} ms, ${f.failed} not admitted`,
      )
    }
    console.log(
      `${concurrency} in flight: with/without = ${(durable.rate / plain.rate).toFixed(2)}x decisions/s, ${(durable.p50 / plain.p50).toFixed(2)}x p50`,
    )
    ratios.push({ label: `${concurrency} in flight`, value: durable.rate / plain.rate })
  }
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  )
  report('waitForReplicas: decisions/s with it / without it', ratios)
  await client.close()
} finally {
  await Promise.all([primary.stop(), replica.stop()])
}
