/**
 * The live link under a subscription: what it wants to be subscribed to, the transport's
 * subscriber connection, and the reconnect loop. When the connection drops it waits (exponential
 * backoff with jitter), opens a new one through `client.openSubscriber`, subscribes again to
 * everything, and reports the gap: pub/sub is at-most-once, so whatever was published in between
 * is gone. It never asks which transport it has.
 */
import type {
  Client,
  SubscribeKind,
  SubscriberConnection,
  SubscriberHandlers,
  SubscriberOptions,
} from '../client/types.ts'
import { ConfigError, ReplyError } from '../errors.ts'
import type { Emitter } from './events.ts'

export interface Backoff {
  /** First wait after a drop, in ms. Default 100. */
  minDelay?: number
  /** Longest wait between attempts, in ms. Default 5000. */
  maxDelay?: number
}

export interface LinkOptions {
  client: Client
  emitter: Emitter
  backoff: Required<Backoff>
  subscriberOptions: SubscriberOptions
  onMessage: SubscriberHandlers['onMessage']
  /** The link gave up for good (a refused login, or `close()`). */
  onEnd(error?: unknown): void
  /** A reconnect may have lost messages. */
  onGap(since: number): void
}

/**
 * Errors not worth retrying: the server refusing us (a wrong password, no permission) and a
 * configuration that cannot work (sharded channels over HTTP, no streaming fetch).
 */
const fatal = (error: unknown): boolean =>
  error instanceof TypeError ||
  error instanceof ConfigError ||
  (error instanceof ReplyError &&
    !['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN', 'LOADING'].includes(error.code))

export class Link {
  readonly want: Record<SubscribeKind, Set<string>> = {
    subscribe: new Set(),
    psubscribe: new Set(),
    ssubscribe: new Set(),
  }
  readonly #options: LinkOptions
  #connection: SubscriberConnection | undefined
  #generation = 0
  #closed = false
  #everConnected = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #paused = false
  reconnects = 0
  readonly ready: Promise<void>
  #settleReady!: { resolve: () => void; reject: (e: unknown) => void }

  constructor(options: LinkOptions) {
    this.#options = options
    this.ready = new Promise((resolve, reject) => {
      this.#settleReady = { resolve, reject }
    })
    this.ready.catch(() => {})
  }

  get connected(): boolean {
    return this.#connection !== undefined
  }

  start(): void {
    void this.#connect(0, undefined)
  }

  async add(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    const fresh = names.filter((name) => !this.want[kind].has(name))
    for (const name of fresh) this.want[kind].add(name)
    // Not connected: the next connection subscribes to everything wanted.
    if (this.#connection !== undefined && fresh.length > 0) await this.#connection.subscribe(kind, fresh)
  }

  async remove(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    const gone = names.filter((name) => this.want[kind].delete(name))
    if (this.#connection !== undefined && gone.length > 0) await this.#connection.unsubscribe(kind, gone)
  }

  pause(): boolean {
    this.#paused = true
    if (this.#connection?.pause === undefined) return false
    this.#connection.pause()
    return true
  }

  resume(): void {
    this.#paused = false
    this.#connection?.resume?.()
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#generation++
    clearTimeout(this.#timer)
    this.#connection?.close()
    this.#connection = undefined
    this.#settleReady.reject(new TypeError('the subscription was closed before it was ready'))
  }

  async #connect(attempt: number, since: number | undefined): Promise<void> {
    if (this.#closed) return
    const generation = ++this.#generation
    let connection: SubscriberConnection | undefined
    try {
      connection = await this.#options.client.openSubscriber!(
        {
          onMessage: (channel, message, pattern, sharded) => {
            if (generation === this.#generation) this.#options.onMessage(channel, message, pattern, sharded)
          },
          onClose: (error) => {
            if (generation === this.#generation) this.#dropped(error)
          },
        },
        this.#options.subscriberOptions,
      )
      if (generation !== this.#generation) return connection.close()
      for (const kind of ['subscribe', 'psubscribe', 'ssubscribe'] as const) {
        if (this.want[kind].size > 0) await connection.subscribe(kind, [...this.want[kind]])
      }
      if (generation !== this.#generation) return connection.close()
    } catch (error) {
      connection?.close()
      if (generation !== this.#generation || this.#closed) return
      if (fatal(error)) {
        this.#settleReady.reject(error)
        this.#options.onEnd(error)
        return
      }
      this.#options.emitter.emit('error', { error })
      this.#retry(attempt + 1, since)
      return
    }
    this.#connection = connection
    if (this.#paused) connection.pause?.()
    const reconnected = this.#everConnected
    this.#everConnected = true
    if (reconnected) this.reconnects++
    this.#settleReady.resolve()
    this.#options.emitter.emit('connect', { reconnected })
    if (since !== undefined) this.#options.onGap(since)
  }

  #dropped(error: unknown): void {
    this.#connection = undefined
    if (this.#closed) return
    this.#generation++
    this.#options.emitter.emit('disconnect', { error })
    this.#retry(0, Date.now())
  }

  #retry(attempt: number, since: number | undefined): void {
    const { minDelay, maxDelay } = this.#options.backoff
    const wait =
      attempt === 0 ? 0 : Math.min(maxDelay, minDelay * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4)
    // The first connection that fails before it ever worked also counts as a gap-free wait.
    this.#timer = setTimeout(() => void this.#connect(attempt, since), wait)
  }
}
