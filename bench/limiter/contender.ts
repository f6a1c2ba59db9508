/**
 * One contender of `bench/limiter`, in a process of its own: `index.ts` forks this file once per
 * contender (`--import tsx`, the contender's name as the argument) and asks it, round after round,
 * for one measurement; the figures go back over the IPC channel.
 *
 * A process each, because an app runs one limiter on one client. Measured side by side in one
 * process, contenders change each other's figures: V8 compiles the shared limiter code for every
 * client it has served, and a heap grown by one contender slows the next one's collections.
 * Through the bridge at 50 in flight, floodgate against `@upstash/ratelimit` measured 1.06–1.21×
 * in one process that had also run the TCP contenders, and 1.43–1.58× with a process each.
 */
import { Ratelimit } from '@upstash/ratelimit'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'iovalkey'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { nodeFetch } from '../../adapters/node/http-fetch.ts'
import { connect } from '../../adapters/node/socket.ts'
import { createHttpClient } from '../../src/client/http.ts'
import { createMemoryClient } from '../../src/client/memory.ts'
import { createTcpClient } from '../../src/client/tcp.ts'
import { createLimiter, fixedWindow, slidingWindow } from '../../src/limit/index.ts'
import { type Decide, measure } from './measure.ts'

/** What the parent passes: where Valkey and the bridge listen. */
export interface Endpoints {
  readonly valkeyUrl: string
  readonly valkeyPort: number
  readonly bridgeUrl: string
  readonly token: string
}

/** One measurement the parent asks for. */
export interface Ask {
  readonly concurrency: number
  readonly n: number
  readonly latencies: boolean
  readonly serverPid?: number
}

/** A limit no run reaches: every call is admitted, so each decision is one full script run. */
const BIG = 1_000_000_000

/** Each contender: its decide function and what to close afterwards. */
export const CONTENDERS = {
  'floodgate slidingWindow, TCP': (e: Endpoints) => {
    const tcp = createTcpClient({ url: e.valkeyUrl, connect })
    const limiter = createLimiter({ client: tcp, limits: slidingWindow(BIG, '1 m'), prefix: 'fg' })
    return { decide: (id: string) => limiter.limit(id), close: () => tcp.close() }
  },
  'rate-limiter-flexible RateLimiterRedis, iovalkey': (e: Endpoints) => {
    const iovalkey = new Redis({ host: '127.0.0.1', port: e.valkeyPort, enableAutoPipelining: true })
    const rlf = new RateLimiterRedis({ storeClient: iovalkey, points: BIG, duration: 60, keyPrefix: 'rlf' })
    return { decide: (id: string) => rlf.consume(id), close: async () => void iovalkey.disconnect() }
  },
  // rate-limiter-flexible only has a fixed window: ours too, for the like-for-like line.
  'floodgate fixedWindow, TCP': (e: Endpoints) => {
    const tcp = createTcpClient({ url: e.valkeyUrl, connect })
    const limiter = createLimiter({ client: tcp, limits: fixedWindow(BIG, '1 m'), prefix: 'fgf' })
    return { decide: (id: string) => limiter.limit(id), close: () => tcp.close() }
  },
  // No limiter: one bare round trip on our client, the ceiling of any one-script decision.
  'PING, no limiter (one bare round trip), TCP': (e: Endpoints) => {
    const tcp = createTcpClient({ url: e.valkeyUrl, connect })
    return { decide: () => tcp.send(['PING']), close: () => tcp.close() }
  },
  'floodgate slidingWindow, HTTP via bridge, nodeFetch': (e: Endpoints) => {
    const fetch = nodeFetch()
    const http = createHttpClient({ url: e.bridgeUrl, token: e.token, fetch })
    const limiter = createLimiter({ client: http, limits: slidingWindow(BIG, '1 m'), prefix: 'fgh' })
    return {
      decide: (id: string) => limiter.limit(id),
      close: async () => {
        await http.close()
        fetch.close()
      },
    }
  },
  '@upstash/ratelimit slidingWindow, via bridge': (e: Endpoints) => {
    const upstash = new Ratelimit({
      redis: new UpstashRedis({ url: e.bridgeUrl, token: e.token, enableTelemetry: false }),
      limiter: Ratelimit.slidingWindow(BIG, '1 m'),
      prefix: 'upstash',
      ephemeralCache: false,
    })
    return { decide: (id: string) => upstash.limit(id), close: async () => {} }
  },
  'floodgate slidingWindow, HTTP via bridge, global fetch': (e: Endpoints) => {
    const http = createHttpClient({ url: e.bridgeUrl, token: e.token })
    const limiter = createLimiter({ client: http, limits: slidingWindow(BIG, '1 m'), prefix: 'fgg' })
    return { decide: (id: string) => limiter.limit(id), close: () => http.close() }
  },
  'floodgate slidingWindow, memory': () => {
    const limiter = createLimiter({
      client: createMemoryClient(),
      limits: slidingWindow(BIG, '1 m'),
      prefix: 'mem',
    })
    return { decide: (id: string) => limiter.limit(id), close: async () => {} }
  },
} satisfies Record<string, (e: Endpoints) => { decide: Decide; close: () => Promise<void> }>

export type ContenderName = keyof typeof CONTENDERS

// Run as a child: build the named contender, then answer each ask until the parent disconnects.
if (process.send !== undefined) {
  const name = process.argv[2] as ContenderName
  const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS!) as Endpoints
  const { decide, close } = CONTENDERS[name](endpoints)
  process.on('message', async (ask: Ask) => {
    process.send!(await measure(decide, ask.concurrency, ask.n, ask.latencies, ask.serverPid))
  })
  process.once('disconnect', () => void close().finally(() => process.exit(0)))
  process.send('ready')
}
