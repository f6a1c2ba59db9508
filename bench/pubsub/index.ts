/**
 * `npm run bench pubsub`: delivered messages/s and publish→receive latency, at 1 and 100
 * subscribers, for floodgate over TCP against ioredis (same Valkey) and floodgate over SSE against
 * `@upstash/redis`'s subscriber (same bridge, its own process). Payloads are 256 B. Throughput:
 * `valkey-benchmark` publishes N messages (another process, so only the subscribers run here);
 * timed from the first delivery to the last, with this process's CPU per message. Latency: this
 * process publishes stamped messages at a steady rate well under saturation.
 * Contenders alternate within each round; ratios are medians of per-round ratios.
 */
import { execFile } from 'node:child_process'
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient } from '../../src/index.ts'
import { spawnQuietBridge } from '../../test/support/bridge-cli.ts'
import { startValkey } from '../../test/support/valkey.ts'
import { type Figure, pairedRatio, type Ratio, report } from '../report.ts'
import { median, percentile } from '../stats.ts'
import { contenders, type Endpoints } from './contenders.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const TOKEN = 'bench-token-0123456789abcdef'
const PAD = 'x'.repeat(256)
const payload = () => `${performance.now().toFixed(3)} ${PAD}`.slice(0, 256)

const server = await startValkey()
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
  perSecond: number
  cpuPerMessage: number
  p50: number
  p99: number
}

/** Publishes `count` messages from `valkey-benchmark` (another process, pipelined 100 deep). */
const blast = (channel: string, count: number) =>
  new Promise<void>((resolve, reject) =>
    execFile(
      'valkey-benchmark',
      ['-p', String(server.port), '-n', String(count), '-P', '100', '-c', '1', 'PUBLISH', channel, PAD],
      (error) =>
        error
          ? reject(new Error(`valkey-benchmark failed (install valkey-tools): ${error.message}`))
          : resolve(),
    ),
  )

let channelId = 0
const measure = async (name: string, subscribers: number): Promise<Run> => {
  const open = contenders[name]!
  // Throughput: an outside publisher sends as fast as Valkey takes it; time from the first
  // delivery to the last, and this process's CPU per delivered message.
  const total = subscribers === 1 ? 100_000 : 2_000
  let delivered = 0
  let firstAt = 0
  let lastAt = 0
  let channel = `bench:${++channelId}`
  let opened = await open(endpoints, channel, subscribers, () => {
    if (delivered++ === 0) firstAt = performance.now()
    lastAt = performance.now()
  })
  const cpu = process.cpuUsage()
  await blast(channel, total)
  // Done when all arrived, or nothing more came for 500 ms (a contender that lost some).
  while (delivered < total * subscribers && performance.now() - lastAt < 500) await sleep(5)
  const used = process.cpuUsage(cpu)
  const perSecond = (delivered / (lastAt - firstAt)) * 1000
  const cpuPerMessage = (used.user + used.system) / delivered
  await opened.close()
  // Latency: a steady 500 messages/s for 2 s, each stamped with its send time.
  const latencies: number[] = []
  channel = `bench:${++channelId}`
  opened = await open(endpoints, channel, subscribers, (text) => {
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
  return { perSecond, cpuPerMessage, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) }
}

// BENCH_ONLY=tcp or sse runs one pair; BENCH_SUBSCRIBERS=1 or 100 one subscriber count.
const pairs = (
  [
    ['floodgate TCP', 'ioredis', 1.3],
    ['floodgate SSE', '@upstash/redis SSE', 1.5],
  ] as Array<[string, string, number]>
).filter(([ours]) => !process.env.BENCH_ONLY || ours.toLowerCase().includes(process.env.BENCH_ONLY))
const counts = [1, 100].filter(
  (n) => !process.env.BENCH_SUBSCRIBERS || n === Number(process.env.BENCH_SUBSCRIBERS),
)
const ratios: Ratio[] = []
const figures: Figure[] = []
try {
  for (const subscribers of counts) {
    for (const [ours, theirs, target] of pairs) {
      const runs: Record<string, Run[]> = { [ours]: [], [theirs]: [] }
      for (let round = 0; round < ROUNDS; round++) {
        for (const name of round % 2 === 0 ? [ours, theirs] : [theirs, ours])
          runs[name]!.push(await measure(name, subscribers))
      }
      for (const name of [ours, theirs]) {
        const r = runs[name]!
        const line = {
          perSecond: Math.round(median(r.map((x) => x.perSecond))),
          cpu: median(r.map((x) => x.cpuPerMessage)).toFixed(2),
          p50: median(r.map((x) => x.p50)).toFixed(3),
          p99: median(r.map((x) => x.p99)).toFixed(3),
        }
        console.log(
          `${name}, ${subscribers} sub: ${line.perSecond} msg/s, ${line.cpu} µs CPU/msg, p50 ${line.p50} ms, p99 ${line.p99} ms`,
        )
        figures.push({
          label: `${name}, ${subscribers} subscriber(s): CPU per message`,
          value: line.cpu,
          unit: 'µs',
        })
        figures.push({
          label: `${name}, ${subscribers} subscriber(s): delivered`,
          value: line.perSecond,
          unit: 'msg/s',
        })
        figures.push({
          label: `${name}, ${subscribers} subscriber(s): p50 / p99`,
          value: `${line.p50} / ${line.p99}`,
          unit: 'ms',
        })
      }
      const ratio = pairedRatio(
        `${ours} / ${theirs}, msg/s, ${subscribers} sub`,
        runs[ours]!.map((x) => x.perSecond),
        runs[theirs]!.map((x) => x.perSecond),
        target,
      )
      const p99 = pairedRatio(
        `${theirs} p99 / ${ours} p99, ${subscribers} sub`,
        runs[theirs]!.map((x) => x.p99),
        runs[ours]!.map((x) => x.p99),
      )
      console.log(
        `${ratio.label}: ${ratio.value?.toFixed(2)} (${ratio.low?.toFixed(2)}-${ratio.high?.toFixed(2)}); ${p99.label}: ${p99.value?.toFixed(2)}`,
      )
      const cpu = pairedRatio(
        `${theirs} CPU / ${ours} CPU per message, ${subscribers} sub`,
        runs[theirs]!.map((x) => x.cpuPerMessage),
        runs[ours]!.map((x) => x.cpuPerMessage),
      )
      console.log(`${cpu.label}: ${cpu.value?.toFixed(2)} (${cpu.low?.toFixed(2)}-${cpu.high?.toFixed(2)})`)
      ratios.push(ratio, p99, cpu)
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
