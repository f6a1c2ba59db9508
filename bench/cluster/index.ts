/**
 * `npm run bench cluster`: limiter decisions per second on one valkey-server (TCP client) against
 * a 3-primary Valkey Cluster (3 replicas too; cluster client), same load, interleaved rounds:
 * slidingWindow decisions over 10,000 identifiers (so keys spread over every slot), none denied,
 * at 50 and 200 in flight from one Node process.
 *
 * NOTE: this machine has 2 cores shared by the load generator and every server process, so the
 * cluster cannot show its scaling here: the figure says what routing costs the client, not what
 * 3 primaries on 3 machines would serve. On separate hosts, decisions/s grow with the primaries
 * until the client side saturates (see README, "Scaling out").
 */
import { connect } from '../../adapters/node/socket.ts'
import { createClusterClient } from '../../src/client/cluster.ts'
import { createTcpClient } from '../../src/client/tcp.ts'
import type { Client } from '../../src/client/types.ts'
import { createLimiter, slidingWindow } from '../../src/limit/index.ts'
import { startCluster } from '../../test/support/cluster.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Decide, type Figures, measure, median } from '../limiter/measure.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const N = Number(process.env.N ?? 50_000)
const BIG = 1_000_000_000
const CONCURRENCY = [50, 200] as const

const single = await startValkey()
const cluster = await startCluster()
const clients: Client[] = []
try {
  const tcp = createTcpClient({ url: single.url, connect })
  const clustered = createClusterClient({ url: cluster.url, connect })
  clients.push(tcp, clustered)
  const limiter = (client: Client) =>
    createLimiter({ client, limits: slidingWindow(BIG, '1 m'), prefix: 'bench', blockCache: false })
  const contenders: Array<{ name: string; decide: Decide }> = [
    {
      name: '1 node, TCP client',
      decide: (
        (l) => (id: string) =>
          l.limit(id)
      )(limiter(tcp)),
    },
    {
      name: '3 primaries, cluster client',
      decide: (
        (l) => (id: string) =>
          l.limit(id)
      )(limiter(clustered)),
    },
  ]
  const figures = new Map<string, Figures[]>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCY) {
      for (const { name, decide } of contenders) {
        const key = `${name} @${concurrency}`
        figures.set(key, [...(figures.get(key) ?? []), await measure(decide, concurrency, N)])
      }
    }
  }
  const summary = (key: string) => {
    const runs = figures.get(key)!
    return {
      ops: median(runs.map((f) => f.opsPerSec)),
      p50: median(runs.map((f) => f.p50)),
      p99: median(runs.map((f) => f.p99)),
    }
  }
  console.log(`slidingWindow decisions, median of ${ROUNDS} interleaved rounds of ${N} (latency in µs)`)
  for (const key of figures.keys()) {
    const { ops, p50, p99 } = summary(key)
    console.log(
      `  ${key.padEnd(36)} ${Math.round(ops).toLocaleString('en-US').padStart(9)}/s  p50 ${p50.toFixed(0)}  p99 ${p99.toFixed(0)}`,
    )
  }
  for (const concurrency of CONCURRENCY) {
    const one = summary(`${contenders[0]!.name} @${concurrency}`)
    const three = summary(`${contenders[1]!.name} @${concurrency}`)
    console.log(`ratio cluster / 1 node @${concurrency}: ${(three.ops / one.ops).toFixed(2)}x decisions/s`)
  }
  console.log(
    'note: 2 cores run the load generator and all 7 servers here, so this bounds the cluster: it shows the ' +
      "client's routing cost, not the throughput 3 primaries on their own hosts would add",
  )
} finally {
  await Promise.all(clients.map((client) => client.close()))
  await cluster.stop()
  await single.stop()
}
