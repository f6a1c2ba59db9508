/**
 * `npm run bench cluster`: limiter decisions per second on one valkey-server with a replica (TCP
 * client) against a 3-primary Valkey Cluster with 3 replicas (cluster client), same load, interleaved rounds:
 * slidingWindow decisions over 10,000 identifiers (so keys spread over every slot), none denied,
 * at 50 and 200 in flight from one Node process.
 *
 * It also reads each server's CPU time (INFO cpu) around every run: CPU µs per decision on the
 * single node against the busiest primary projects what the cluster's servers could carry on
 * their own hosts.
 *
 * NOTE: this machine has 2 cores shared by the load generator and every server process, so the
 * cluster cannot show its scaling here: the figure says what routing costs the client, not what
 * 3 primaries on 3 machines would serve. On separate hosts, decisions/s grow with the primaries
 * until the client side saturates (see README, "Scaling out").
 */
import { connect } from '../../src/bridge/node/socket.ts'
import { createClusterClient } from '../../src/client/cluster/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { createLimiter, slidingWindow } from '../../src/limit/index.ts'
import { startCluster } from '../../test/support/cluster.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Decide, type Figures, measure, median, medianFigures, warmup } from '../limiter/measure.ts'
import { type Ratio, report } from '../report.ts'

const ROUNDS = Number(process.env.ROUNDS ?? 3)
const N = Number(process.env.N ?? 50_000)
const BIG = 1_000_000_000
const CONCURRENCY = [50, 200] as const

// The single node gets a replica too, as each primary has one: both sides pay for replication.
const single = await startValkey()
const singleReplica = await startValkey()
singleReplica.cli('REPLICAOF', '127.0.0.1', String(single.port))
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
  // Server CPU seconds (user + sys) of each primary, read with INFO cpu over a plain connection.
  const primaries = (await cluster.view()).filter((node) => node.role === 'primary').map((node) => node.port)
  const probes = new Map<number, Client>()
  for (const port of [single.port, ...primaries]) {
    const probe = createTcpClient({ host: '127.0.0.1', port, connect })
    probes.set(port, probe)
    clients.push(probe)
  }
  const cpu = async (port: number) => {
    const text = String(await probes.get(port)!.send(['INFO', 'cpu']))
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0)
    return field('used_cpu_user') + field('used_cpu_sys')
  }
  /** CPU µs per decision on each server in `ports` while `run` ran `n` decisions. */
  const cpuPerDecision = async (ports: number[], n: number, run: () => Promise<Figures>) => {
    const before = await Promise.all(ports.map(cpu))
    const figures = await run()
    const after = await Promise.all(ports.map(cpu))
    return { figures, perDecision: ports.map((_, i) => ((after[i]! - before[i]!) * 1e6) / n) }
  }
  const figures = new Map<string, Figures[]>()
  const serverCpu = new Map<string, number[][]>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCY) {
      for (const [i, { name, decide }] of contenders.entries()) {
        const key = `${name} @${concurrency}`
        const ports = i === 0 ? [single.port] : primaries
        // measure() runs a warm-up first: count it too.
        const { figures: f, perDecision } = await cpuPerDecision(ports, N + warmup(N), () =>
          measure(decide, concurrency, N),
        )
        figures.set(key, [...(figures.get(key) ?? []), f])
        serverCpu.set(key, [...(serverCpu.get(key) ?? []), perDecision])
      }
    }
  }
  const summary = (key: string) => medianFigures(figures.get(key)!)
  console.log(`slidingWindow decisions, median of ${ROUNDS} interleaved rounds of ${N} (latency in µs)`)
  for (const key of figures.keys()) {
    const { opsPerSec: ops, p50, p99 } = summary(key)
    console.log(
      `  ${key.padEnd(36)} ${Math.round(ops).toLocaleString('en-US').padStart(9)}/s  p50 ${p50.toFixed(0)}  p99 ${p99.toFixed(0)}`,
    )
  }
  for (const concurrency of CONCURRENCY) {
    const one = summary(`${contenders[0]!.name} @${concurrency}`)
    const three = summary(`${contenders[1]!.name} @${concurrency}`)
    console.log(
      `ratio cluster / 1 node @${concurrency}: ${(three.opsPerSec / one.opsPerSec).toFixed(2)}x decisions/s`,
    )
  }
  console.log(
    'note: 2 cores run the load generator and all 8 servers here, so this bounds the cluster: it shows the ' +
      "client's routing cost, not the throughput 3 primaries on their own hosts would add",
  )
  // Where the servers are the bottleneck (each on its own host), capacity follows the busiest one.
  const capacity: Ratio[] = []
  for (const concurrency of CONCURRENCY) {
    const one = median(serverCpu.get(`${contenders[0]!.name} @${concurrency}`)!.map((r) => r[0]!))
    const shares = primaries.map((_, p) =>
      median(serverCpu.get(`${contenders[1]!.name} @${concurrency}`)!.map((r) => r[p]!)),
    )
    const busiest = Math.max(...shares)
    console.log(
      `server CPU per decision @${concurrency}: 1 node ${one.toFixed(1)} µs; cluster primaries ` +
        `${shares.map((x) => x.toFixed(1)).join(' / ')} µs -> with each server on its own host, ` +
        `the cluster's server-side capacity is ${(one / busiest).toFixed(2)}x the single node's ` +
        '(every primary, the single node included, feeds one replica)',
    )
    capacity.push({ label: `${concurrency} decisions in flight`, value: one / busiest })
  }
  report('3 primaries / 1 node: server-side capacity from Valkey CPU per decision', capacity)
} finally {
  await Promise.all(clients.map((client) => client.close()))
  await cluster.stop()
  await singleReplica.stop()
  await single.stop()
}
