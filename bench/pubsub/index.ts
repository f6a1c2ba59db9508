/**
 * `npm run bench pubsub`: messages/s and publish→receive latency, at 1 and 100 subscribers, for
 * floodgate over TCP against ioredis (same Valkey) and floodgate over SSE against
 * `@upstash/redis`'s subscriber (same bridge, its own process). Payloads are 256 B.
 *
 * - Capacity (the target): `valkey-benchmark` publishes N messages while this process is blocked,
 *   so they wait in Valkey (and the bridge's upstream connection); then the subscribers drain the
 *   backlog, timed from the moment this process runs again to the last delivery. This is what a
 *   subscriber can take: nothing else limits it.
 * - Live: `valkey-benchmark` publishes N messages (another process) while the subscribers read;
 *   timed from the first delivery to the last, with this process's CPU per message. With one
 *   subscriber this measures the publisher as much as the subscriber (its own rate is printed).
 * - Latency: this process publishes stamped messages at a steady rate well under saturation.
 *
 * Contenders alternate within each round; ratios are medians of per-round ratios. The first round
 * of each pair is a warm-up (JIT) and is not counted.
 */
import { execFile, execFileSync } from 'node:child_process'
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient } from '../../src/index.ts'
import { spawnQuietBridge } from '../../test/support/bridge-cli.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Figure, pairedRatio, type Ratio, report } from '../report.ts'
import { median, percentile } from '../stats.ts'
import { contenders, type Endpoints } from './contenders.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const TOKEN = 'bench-token-0123456789abcdef'
const PAD = 'x'.repeat(256)
const payload = () => `${performance.now().toFixed(3)} ${PAD}`.slice(0, 256)

const server = await startValkey()
// A backlog of 100,000 messages (29 MB) per subscriber connection must not be cut by Valkey's
// default pubsub output buffer limit (32 MB hard, 8 MB for 60 s).
server.cli('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 0 0')
const bridge = await spawnQuietBridge(server.url, TOKEN)
const endpoints: Endpoints = {
  valkeyPort: server.port,
  valkeyUrl: server.url,
  bridgeUrl: bridge.url,
  token: TOKEN,
}
const publisher = createTcpClient({ url: server.url, connect })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Run {
  /** Draining a backlog. */
  capacity: number
  /** With a live publisher, and the publisher's own rate. */
  perSecond: number
  publisherPerSecond: number
  cpuPerMessage: number
  p50: number
  p99: number
}

const blastArgs = (channel: string, count: number) => [
  '-p',
  String(server.port),
  '-n',
  String(count),
  '-P',
  '100',
  '-c',
  '1',
  'PUBLISH',
  channel,
  PAD,
]

/** Publishes `count` messages from `valkey-benchmark` (another process, pipelined 100 deep). */
const blast = (channel: string, count: number) =>
  new Promise<void>((resolve, reject) =>
    execFile('valkey-benchmark', blastArgs(channel, count), (error) =>
      error
        ? reject(new Error(`valkey-benchmark failed (install valkey-tools): ${error.message}`))
        : resolve(),
    ),
  )

let channelId = 0

/** `name`'s subscribers on a fresh channel, counting what they get. */
const counting = async (name: string, subscribers: number) => {
  const seen = { delivered: 0, firstAt: 0, lastAt: 0 }
  const channel = `bench:${++channelId}`
  const opened = await contenders[name]!(endpoints, channel, subscribers, () => {
    if (seen.delivered++ === 0) seen.firstAt = performance.now()
    seen.lastAt = performance.now()
  })
  /** Once `expected` arrived, or nothing more came for 500 ms (a contender that lost some). */
  const settled = async (expected: number, pollMs: number) => {
    while (seen.delivered < expected && performance.now() - seen.lastAt < 500) await sleep(pollMs)
  }
  return { seen, channel, opened, settled }
}

const measure = async (name: string, subscribers: number): Promise<Run> => {
  const total = subscribers === 1 ? 100_000 : 2_000
  // Live: an outside publisher sends as fast as Valkey takes it; time from the first delivery to
  // the last, and this process's CPU per delivered message.
  const live = await counting(name, subscribers)
  const cpu = process.cpuUsage()
  const publishStart = performance.now()
  await blast(live.channel, total)
  const publisherPerSecond = (total / (performance.now() - publishStart)) * 1000
  await live.settled(total * subscribers, 5)
  const used = process.cpuUsage(cpu)
  const perSecond = (live.seen.delivered / (live.seen.lastAt - live.seen.firstAt)) * 1000
  const cpuPerMessage = (used.user + used.system) / live.seen.delivered
  await live.opened.close()
  // Capacity: the backlog is published while this process is blocked in execFileSync, so no
  // subscriber reads until it is all in Valkey's output buffers.
  const drain = await counting(name, subscribers)
  execFileSync('valkey-benchmark', blastArgs(drain.channel, total))
  const drainStart = performance.now()
  drain.seen.lastAt = drainStart
  await drain.settled(total * subscribers, 1)
  const capacity = (drain.seen.delivered / (drain.seen.lastAt - drainStart)) * 1000
  await drain.opened.close()
  // Latency: a steady 500 messages/s for 2 s, each stamped with its send time.
  const latencies: number[] = []
  const channel = `bench:${++channelId}`
  const opened = await contenders[name]!(endpoints, channel, subscribers, (text) => {
    latencies.push(performance.now() - Number.parseFloat(text))
  })
  const rate = subscribers === 1 ? 500 : 50
  for (let i = 0; i < rate * 2; i++) {
    await publisher.send(['PUBLISH', channel, payload()])
    await sleep(1000 / rate)
  }
  await sleep(300)
  await opened.close()
  latencies.sort((a, b) => a - b)
  return {
    capacity,
    perSecond,
    publisherPerSecond,
    cpuPerMessage,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  }
}

// Ours (the first is what floodgate uses on Node by default and carries the target), the peer.
// Over SSE, floodgate/node's clientFromEnv reads streams with nodeStreamFetch(); the global fetch
// (what @upstash/redis always uses) is measured too. BENCH_ONLY=tcp or sse runs one group;
// BENCH_SUBSCRIBERS=1 or 100 one subscriber count.
const pairs = (
  [
    [['floodgate TCP'], 'ioredis', 1.3],
    [['floodgate SSE nodeStreamFetch', 'floodgate SSE'], '@upstash/redis SSE', 1.5],
  ] as Array<[string[], string, number]>
).filter(([ours]) => !process.env.BENCH_ONLY || ours[0]!.toLowerCase().includes(process.env.BENCH_ONLY))
const counts = [1, 100].filter(
  (n) => !process.env.BENCH_SUBSCRIBERS || n === Number(process.env.BENCH_SUBSCRIBERS),
)
const ratios: Ratio[] = []
const figures: Figure[] = []
try {
  for (const subscribers of counts) {
    for (const [group, theirs, target] of pairs) {
      const names = [...group, theirs]
      const runs: Record<string, Run[]> = Object.fromEntries(names.map((name) => [name, []]))
      // Round 0 warms all up (JIT) and is not counted; the order rotates from round to round.
      for (let round = 0; round <= ROUNDS; round++) {
        for (let i = 0; i < names.length; i++) {
          const name = names[(round + i) % names.length]!
          const run = await measure(name, subscribers)
          if (round > 0) runs[name]!.push(run)
        }
      }
      const med = (name: string, pick: (run: Run) => number) => median(runs[name]!.map(pick))
      for (const name of names) {
        const capacity = Math.round(med(name, (x) => x.capacity))
        const live = Math.round(med(name, (x) => x.perSecond))
        const publisher = Math.round(med(name, (x) => x.publisherPerSecond))
        const cpu = med(name, (x) => x.cpuPerMessage).toFixed(2)
        const p50 = med(name, (x) => x.p50).toFixed(3)
        const p99 = med(name, (x) => x.p99).toFixed(3)
        console.log(
          `${name}, ${subscribers} sub: capacity ${capacity} msg/s; live ${live} msg/s (publisher ${publisher}/s), ${cpu} µs CPU/msg; p50 ${p50} ms, p99 ${p99} ms`,
        )
        const label = `${name}, ${subscribers} subscriber(s)`
        figures.push(
          { label: `${label}: capacity (backlog drained)`, value: capacity, unit: 'msg/s' },
          { label: `${label}: delivered, live publisher`, value: live, unit: 'msg/s' },
          { label: `${label}: CPU per message, live`, value: cpu, unit: 'µs' },
          { label: `${label}: p50 / p99`, value: `${p50} / ${p99}`, unit: 'ms' },
        )
      }
      const paired = (label: string, a: string, b: string, pick: (run: Run) => number, goal?: number) => {
        const r = pairedRatio(label, runs[a]!.map(pick), runs[b]!.map(pick), goal)
        console.log(`${r.label}: ${r.value?.toFixed(2)} (${r.low?.toFixed(2)}-${r.high?.toFixed(2)})`)
        return r
      }
      for (const [i, ours] of group.entries()) {
        ratios.push(
          paired(
            `${ours} / ${theirs}, capacity msg/s, ${subscribers} sub`,
            ours,
            theirs,
            (x) => x.capacity,
            i === 0 ? target : undefined,
          ),
          paired(`${ours} / ${theirs}, live msg/s, ${subscribers} sub`, ours, theirs, (x) => x.perSecond),
          paired(`${theirs} p99 / ${ours} p99, ${subscribers} sub`, theirs, ours, (x) => x.p99),
          paired(
            `${theirs} CPU / ${ours} CPU per message, live, ${subscribers} sub`,
            theirs,
            ours,
            (x) => x.cpuPerMessage,
          ),
        )
      }
    }
  }
  report('Pub/sub delivered messages/s and p99, floodgate / peer', ratios, figures)
} finally {
  await publisher.close()
  bridge.child.kill('SIGTERM')
  await bridge.exited
  await server.stop()
}
process.exit(0)
