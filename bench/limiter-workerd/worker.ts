/**
 * The limiter bench's Worker: floodgate's sliding window over its HTTP client, and
 * @upstash/ratelimit's over @upstash/redis, both on workerd's global fetch through the bridge.
 * `GET /?lib=floodgate|upstash&n=500&c=50` runs n decisions, c in flight, and answers the ms taken
 * (workerd's clock moves with I/O, and every decision waits on I/O).
 */
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis/cloudflare'
import { createHttpClient, createLimiter, slidingWindow } from 'floodgate'

type Env = { BRIDGE_URL: string; TOKEN: string }
type Decide = (id: string) => Promise<unknown>

const BIG = 1_000_000_000
// Requests each library sends: auto-pipelining should put a tick's decisions in one.
let requests = 0
const globalFetch = globalThis.fetch
globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
  requests++
  return globalFetch(...args)
}) as typeof fetch
const made = new Map<string, Decide>()

const make = (lib: string, env: Env): Decide => {
  if (lib === 'floodgate') {
    const client = createHttpClient({ url: env.BRIDGE_URL, token: env.TOKEN })
    const limiter = createLimiter({ client, limits: slidingWindow(BIG, '1 m'), prefix: 'wfg' })
    return (id) => limiter.limit(id)
  }
  const redis = new Redis({ url: env.BRIDGE_URL, token: env.TOKEN, enableTelemetry: false })
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(BIG, '1 m'),
    prefix: 'wup',
    ephemeralCache: false,
  })
  return (id) => limiter.limit(id)
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    const lib = url.searchParams.get('lib') ?? 'floodgate'
    const n = Number(url.searchParams.get('n') ?? 500)
    const c = Number(url.searchParams.get('c') ?? 1)
    let decide = made.get(lib)
    if (decide === undefined) {
      decide = make(lib, env)
      made.set(lib, decide)
    }
    let next = 0
    const worker = async () => {
      while (next < n) {
        const i = next++
        await decide(`user-${i % 1000}`)
      }
    }
    requests = 0
    const started = Date.now()
    await Promise.all(Array.from({ length: c }, worker))
    return Response.json({ ms: Date.now() - started, requests })
  },
}
