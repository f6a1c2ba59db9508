/**
 * A subscriber that never reads, run in its own process (`node --expose-gc`) so its memory can be
 * measured alone: it prints `ready`, samples heap + array buffers after a GC every 25 ms while
 * messages pour in, and when stdin says `done` prints the peak growth and its counters as JSON.
 */
import { connect } from '../../adapters/node/index.ts'
import { createTcpClient, type Gap, type OverflowPolicy, subscribe } from '../../src/index.ts'

const [url, overflow, bound] = process.argv.slice(2) as [string, OverflowPolicy, string]
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const used = () => {
  gc()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

const client = createTcpClient({ url, connect })
const gaps: Gap[] = []
const sub = subscribe(client, 'firehose', {
  overflow,
  maxBufferedBytes: Number(bound),
  reconnect: { minDelay: 50, maxDelay: 200 },
  onGap: (gap) => gaps.push(gap),
})
await sub.ready
const baseline = used()
let peak = 0
const timer = setInterval(() => {
  peak = Math.max(peak, used() - baseline)
}, 25)
process.stdout.write('ready\n')
process.stdin.once('data', async () => {
  clearInterval(timer)
  peak = Math.max(peak, used() - baseline)
  const held = sub.stats
  // Now read: a paused connection hears only now that Valkey cut it, and reconnects.
  const iterator = sub[Symbol.asyncIterator]()
  const reading = (async () => {
    for (;;) await iterator.next()
  })()
  void reading
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const stats = { ...sub.stats, bufferedBytes: held.bufferedBytes }
  process.stdout.write(`${JSON.stringify({ peak, ...stats, gaps: gaps.map((g) => g.reason) })}\n`)
  await sub.close()
  await client.close()
  process.exit(0)
})
