/**
 * A pub/sub subscription: a `Link` (connection, reconnect, resubscribe) feeding a bounded `Feed`
 * that the app reads with `for await`. Gaps (a reconnect, a dropped message) are reported through
 * `on('gap')` as they happen, so the app can re-read state it may have missed.
 */
import type { Client, SubscribeKind } from '../client/types.ts'
import { Emitter } from './events.ts'
import { Feed } from './feed.ts'
import { Link } from './link.ts'
import { names, resolveOptions, type SubscribeOptions } from './options.ts'
import type {
  PubSubMessage,
  Subscription,
  SubscriptionEvent,
  SubscriptionEvents,
  SubscriptionStats,
} from './types.ts'

const encoder = new TextEncoder()

export class LiveSubscription implements Subscription {
  readonly #emitter = new Emitter()
  readonly #link: Link
  readonly #feed: Feed
  readonly #defaultKind: SubscribeKind
  #received = 0
  #closed = false
  #overflowing = false
  readonly #onAbort = () => void this.close()
  readonly #signal: AbortSignal | undefined

  constructor(client: Client, channels: string[], options: SubscribeOptions) {
    const resolved = resolveOptions(client, options)
    this.#defaultKind = options.sharded ? 'ssubscribe' : 'subscribe'
    const bytes = options.bytes === true
    this.#feed = new Feed({
      ...resolved,
      onDrop: (dropped) => {
        if (this.#overflowing) return
        // One report per overflow episode: it ends when the consumer has caught up (onRoom).
        this.#overflowing = true
        this.#emitter.emit('gap', { reason: 'overflow', dropped })
      },
      onOverflow: () => this.#shutdown(),
      onFull: () => {
        this.#link.pause()
      },
      onRoom: () => {
        this.#overflowing = false
        this.#link.resume()
      },
      onReturn: () => void this.close(),
    })
    this.#link = new Link({
      client,
      emitter: this.#emitter,
      backoff: resolved.backoff,
      // A subscription that pauses its connection when full keeps that connection to itself.
      subscriberOptions: { bytes: options.bytes === true, exclusive: resolved.overflow === 'pause' },
      onMessage: (channel, raw, pattern, sharded) => {
        this.#received++
        // A transport that carries only text (SSE) hands a string even when bytes were asked for.
        const message = bytes && typeof raw === 'string' ? encoder.encode(raw) : raw
        if (this.#feed.length === 0) this.#overflowing = false
        this.#feed.push(
          pattern !== undefined
            ? { channel, message, pattern }
            : sharded === true
              ? { channel, message, sharded }
              : { channel, message },
        )
      },
      onEnd: (error) => {
        this.#feed.end(error)
        this.#shutdown()
      },
      onGap: (since) => this.#emitter.emit('gap', { reason: 'reconnect', since }),
    })
    if (options.onConnect) this.on('connect', options.onConnect)
    if (options.onDisconnect) this.on('disconnect', options.onDisconnect)
    if (options.onGap) this.on('gap', options.onGap)
    if (options.onError) this.on('error', options.onError)
    for (const name of channels) this.#link.want[this.#defaultKind].add(name)
    for (const name of names(options.patterns, 'patterns')) this.#link.want.psubscribe.add(name)
    this.#signal = options.signal
    if (this.#signal?.aborted) {
      this.#closed = true
      this.#feed.end()
      this.#link.close()
      return
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#link.start()
  }

  get ready(): Promise<void> {
    return this.#link.ready
  }

  get connected(): boolean {
    return this.#link.connected
  }

  get stats(): SubscriptionStats {
    return {
      received: this.#received,
      dropped: this.#feed.dropped,
      buffered: this.#feed.length,
      bufferedBytes: this.#feed.bytes,
      reconnects: this.#link.reconnects,
    }
  }

  subscribe(list: string | readonly string[], kind: SubscribeKind = this.#defaultKind): Promise<void> {
    return this.#link.add(kind, names(list, 'channels'))
  }

  unsubscribe(list: string | readonly string[], kind: SubscribeKind = this.#defaultKind): Promise<void> {
    return this.#link.remove(kind, names(list, 'channels'))
  }

  on<E extends SubscriptionEvent>(event: E, listener: (detail: SubscriptionEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#feed.end()
    this.#feed.clear()
    this.#shutdown()
  }

  #shutdown(): void {
    this.#closed = true
    this.#signal?.removeEventListener('abort', this.#onAbort)
    this.#link.close()
  }

  [Symbol.asyncIterator](): AsyncIterator<PubSubMessage> {
    return this.#feed.claim()
  }
}
