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
import type { FetchLike } from '../../src/client/http/exchange.ts'
import type { Client } from '../../src/client/types.ts'
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
  readonly bridgePid?: number
}

/** A limit no run reaches: every call is admitted, so each decision is one full script run. */
const BIG = 1_000_000_000

/**
 * Each contender: its decide function and what to close afterwards. Each loads only its own
 * libraries, so a process holds one contender's code, as an app would.
 */
export const CONTENDERS = {
  'floodgate slidingWindow, TCP': async (e: Endpoints) => {
    const { tcp, limiter } = await overTcp(e, 'slidingWindow', 'fg')
    return { decide: (id: string) => limiter.limit(id), close: () => tcp.close() }
  },
  'rate-limiter-flexible RateLimiterRedis, iovalkey': async (e: Endpoints) => {
    const { Redis } = await import('iovalkey')
    const { RateLimiterRedis } = await import('rate-limiter-flexible')
    const iovalkey = new Redis({ host: '127.0.0.1', port: e.valkeyPort, enableAutoPipelining: true })
    const rlf = new RateLimiterRedis({ storeClient: iovalkey, points: BIG, duration: 60, keyPrefix: 'rlf' })
    return { decide: (id: string) => rlf.consume(id), close: async () => void iovalkey.disconnect() }
  },
  // rate-limiter-flexible only has a fixed window: ours too, for the like-for-like line.
  'floodgate fixedWindow, TCP': async (e: Endpoints) => {
    const { tcp, limiter } = await overTcp(e, 'fixedWindow', 'fgf')
    return { decide: (id: string) => limiter.limit(id), close: () => tcp.close() }
  },
  // No limiter: one bare round trip on our client, the ceiling of any one-script decision.
  'PING, no limiter (one bare round trip), TCP': async (e: Endpoints) => ping(await tcpClient(e)),
  // What any limiter on the server's clock must do, and nothing else: read the clock, read the
  // state, write it back with a TTL, and answer. No decision is made.
  'TIME + GET + SET PX script, no limiter, TCP': async (e: Endpoints) => floor(await tcpClient(e), 'floor'),
  'floodgate slidingWindow, HTTP via bridge, nodeFetch': async (e: Endpoints) => {
    const { nodeFetch } = await import('../../adapters/node/http-fetch.ts')
    const fetch = nodeFetch()
    const { http, limiter } = await overHttp(e, fetch, 'fgh')
    return {
      decide: (id: string) => limiter.limit(id),
      close: async () => {
        await http.close()
        fetch.close()
      },
    }
  },
  '@upstash/ratelimit slidingWindow, via bridge': async (e: Endpoints) => {
    const { Ratelimit } = await import('@upstash/ratelimit')
    const { Redis } = await import('@upstash/redis')
    const upstash = new Ratelimit({
      redis: new Redis({ url: e.bridgeUrl, token: e.token, enableTelemetry: false }),
      limiter: Ratelimit.slidingWindow(BIG, '1 m'),
      prefix: 'upstash',
      ephemeralCache: false,
    })
    return { decide: (id: string) => upstash.limit(id), close: async () => {} }
  },
  'floodgate slidingWindow, HTTP via bridge, global fetch': async (e: Endpoints) => {
    const { http, limiter } = await overHttp(e, undefined, 'fgg')
    return { decide: (id: string) => limiter.limit(id), close: () => http.close() }
  },
  // No limiter: one bare round trip on our HTTP client through the bridge on the global fetch,
  // batched like the limiter's calls. No decision over that fetch can be faster.
  'PING, no limiter, HTTP via bridge, global fetch': async (e: Endpoints) => ping(await httpClient(e)),
  // The floor of a limiter on the server's clock over that fetch: the TIME + GET + SET PX script
  // of the TCP floor above, through our HTTP client and the bridge.
  'TIME + GET + SET PX script, no limiter, HTTP via bridge, global fetch': async (e: Endpoints) =>
    floor(await httpClient(e), 'floorh'),
  // The same for @upstash/redis (auto-pipelining on, its default): its own ceiling.
  'PING, no limiter, @upstash/redis via bridge': async (e: Endpoints) => {
    const { Redis } = await import('@upstash/redis')
    const redis = new Redis({ url: e.bridgeUrl, token: e.token, enableTelemetry: false })
    return { decide: () => redis.ping(), close: async () => {} }
  },
  'floodgate slidingWindow, memory': async () => {
    const { createMemoryClient } = await import('../../src/client/memory/client.ts')
    const { createLimiter, slidingWindow } = await import('../../src/limit/index.ts')
    const limiter = createLimiter({
      client: createMemoryClient(),
      limits: slidingWindow(BIG, '1 m'),
      prefix: 'mem',
    })
    return { decide: (id: string) => limiter.limit(id), close: async () => {} }
  },
} satisfies Record<string, (e: Endpoints) => Promise<{ decide: Decide; close: () => Promise<void> }>>

/** No limiter: one bare round trip on `client`. */
const ping = (client: Client) => ({ decide: () => client.send(['PING']), close: () => client.close() })

/**
 * No limiter either: what a limiter on the server's clock does at least on `client` (read the
 * clock and the state, write it back with a TTL, answer), under `{<tag>:<id>}` keys.
 */
const floor = async (client: Client, tag: string) => {
  const { defineScript } = await import('../../src/client/script.ts')
  const script = defineScript({
    name: 'floor',
    lua: `local t = redis.call('TIME')
redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], t[1], 'PX', 60000)
return { 1, t[1] * 1000, 0, 0, 1, 0, t[1] * 1000 + 60000, 0 }`,
  })
  return {
    decide: (id: string) => client.eval(script, [`{${tag}:${id}}:sw:60000`], []),
    close: () => client.close(),
  }
}

/** Our TCP client on the bench's Valkey. */
const tcpClient = async (e: Endpoints) => {
  const { connect } = await import('../../src/bridge/node/socket.ts')
  const { createTcpClient } = await import('../../src/client/tcp/client.ts')
  return createTcpClient({ url: e.valkeyUrl, connect })
}

/** Our limiter with one algorithm over our TCP client. */
const overTcp = async (e: Endpoints, algorithm: 'slidingWindow' | 'fixedWindow', prefix: string) => {
  const limit = await import('../../src/limit/index.ts')
  const tcp = await tcpClient(e)
  const limiter = limit.createLimiter({ client: tcp, limits: limit[algorithm](BIG, '1 m'), prefix })
  return { tcp, limiter }
}

/** Our HTTP client through the bench's bridge, on `fetch` (default: global). */
const httpClient = async (e: Endpoints, fetch?: FetchLike) => {
  const { createHttpClient } = await import('../../src/client/http/client.ts')
  return createHttpClient({ url: e.bridgeUrl, token: e.token, ...(fetch ? { fetch } : {}) })
}

/** Our sliding window over our HTTP client through the bridge, on `fetch` (default: global). */
const overHttp = async (e: Endpoints, fetch: FetchLike | undefined, prefix: string) => {
  const { createLimiter, slidingWindow } = await import('../../src/limit/index.ts')
  const http = await httpClient(e, fetch)
  const limiter = createLimiter({ client: http, limits: slidingWindow(BIG, '1 m'), prefix })
  return { http, limiter }
}

export type ContenderName = keyof typeof CONTENDERS

// Run as a child: build the named contender, then answer each ask until the parent disconnects.
if (process.send !== undefined) {
  const name = process.argv[2] as ContenderName
  const endpoints = JSON.parse(process.env.BENCH_ENDPOINTS!) as Endpoints
  const { decide, close } = await CONTENDERS[name](endpoints)
  process.on('message', async (ask: Ask) => {
    process.send!(await measure(decide, ask.concurrency, ask.n, ask.latencies, ask.serverPid, ask.bridgePid))
  })
  process.once('disconnect', () => void close().finally(() => process.exit(0)))
  process.send('ready')
}
