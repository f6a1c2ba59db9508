/**
 * `RateLimitStore`: an express-rate-limit store on a floodgate Client, the replacement for
 * rate-limit-redis. Same default prefix (`'rl:'`) and the same plain-integer keys, so counters
 * carry over when an app switches. Each call is one round trip (one script call, or one pipelined
 * GET + PTTL for `get`), and a hit is one atomic INCRBY, so the count stays exact however many
 * servers share the key.
 */
import type { Client } from '../client/types.ts'
import { countHit } from '../limit/counter.ts'

/** What express-rate-limit expects back from `increment` and `get`. */
export interface ClientRateLimitInfo {
  totalHits: number
  resetTime: Date | undefined
}

export interface RateLimitStoreOptions {
  client: Client
  /** Key prefix; default `'rl:'`, as rate-limit-redis. */
  prefix?: string
  /** Restart the window on every hit, not only the first (rate-limit-redis's option). Default false. */
  resetExpiryOnChange?: boolean
}

/**
 * @example
 * import { RateLimitStore } from 'floodgate/express/stores' // was: import { RedisStore } from 'rate-limit-redis'
 * app.use(rateLimit({ windowMs: 60_000, limit: 100, store: new RateLimitStore({ client }) }))
 */
export class RateLimitStore {
  readonly client: Client
  readonly prefix: string
  /** Counts live in the backend, shared by every process: express-rate-limit checks this flag. */
  readonly localKeys = false
  windowMs = 60_000
  readonly #renew: boolean

  constructor(options: RateLimitStoreOptions) {
    if (!options?.client || typeof options.client.eval !== 'function') {
      throw new TypeError('RateLimitStore needs a floodgate `client` (createClient(url, { connect }))')
    }
    this.client = options.client
    this.prefix = options.prefix ?? 'rl:'
    this.#renew = options.resetExpiryOnChange ?? false
  }

  /** Called by express-rate-limit with its options. */
  init(options: { windowMs: number }): void {
    this.windowMs = options.windowMs
  }

  #info(count: number, ttl: number): ClientRateLimitInfo {
    return { totalHits: count, resetTime: ttl > 0 ? new Date(Date.now() + ttl) : undefined }
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { count, ttl } = await countHit(this.client, this.prefix + key, this.windowMs, 1, {
      renewPast: this.#renew ? 0 : -1,
    })
    return this.#info(count, ttl)
  }

  async decrement(key: string): Promise<void> {
    await countHit(this.client, this.prefix + key, this.windowMs, -1)
  }

  async resetKey(key: string): Promise<void> {
    await this.client.send(['DEL', this.prefix + key])
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const [count, ttl] = await this.client.pipeline([
      ['GET', this.prefix + key],
      ['PTTL', this.prefix + key],
    ])
    if (typeof count !== 'string') return undefined
    return this.#info(Number(count), Number(ttl))
  }
}
