/**
 * The shapes `subscribe()` hands out: messages, gap reports, events, and the subscription itself.
 */
import type { SubscribeKind } from '../client/types.ts'

/** One received message. */
export interface PubSubMessage {
  /** The channel it was published to. */
  channel: string
  /** The payload: UTF-8 text, or bytes with `{ bytes: true }`. */
  message: string | Uint8Array
  /** The pattern that matched, for a pattern subscription. */
  pattern?: string
  /**
   * `true` for a shard channel's message (SPUBLISH to an `ssubscribe`d channel). A classic channel
   * and a shard channel of the same name are two channels: each gets only its own kind's messages.
   */
  sharded?: true
  /** The stream entry id, in durable mode: pass it back as `from` to resume after it. */
  id?: string
}

/**
 * Messages may have been lost. `reconnect`: the connection dropped and came back (whatever was
 * published in between is gone, pub/sub being at-most-once). `overflow`: the consumer fell behind
 * and the buffer dropped its oldest messages. `trimmed`: in durable mode, entries the subscriber
 * had not read yet were trimmed from the stream by MAXLEN before it could replay them.
 */
export interface Gap {
  reason: 'reconnect' | 'overflow' | 'trimmed'
  /** How many messages were dropped, when that is known (overflow). */
  dropped?: number
  /** The channels concerned (trimmed), else every subscribed one. */
  channels?: string[]
  /** When the connection dropped (reconnect), epoch ms. */
  since?: number
}

export interface SubscriptionEvents {
  /** Subscribed: the first time, and after every reconnect (`reconnected: true`). */
  connect: { reconnected: boolean }
  /** The connection dropped; a reconnect follows. */
  disconnect: { error: unknown }
  /** Messages may have been lost; see `Gap`. */
  gap: Gap
  /** A reconnect attempt failed; another follows after the backoff. */
  error: { error: unknown }
}

export type SubscriptionEvent = keyof SubscriptionEvents

/** Counters, for metrics and tests. */
export interface SubscriptionStats {
  /** Messages received from the server. */
  received: number
  /** Messages dropped by the overflow policy. */
  dropped: number
  /** Messages waiting for the consumer now, and their approximate size in bytes. */
  buffered: number
  bufferedBytes: number
  /** Successful reconnects. */
  reconnects: number
}

/** An open subscription: an async iterable of messages, with `close()`. */
export interface Subscription extends AsyncIterable<PubSubMessage> {
  /** Resolves once the first subscribe is confirmed; rejects when it cannot be (a refused login). */
  readonly ready: Promise<void>
  /** True while subscribed on a live connection. */
  readonly connected: boolean
  readonly stats: SubscriptionStats
  /** Adds channels (patterns with `psubscribe`, shard channels with `ssubscribe`). */
  subscribe(names: string | readonly string[], kind?: SubscribeKind): Promise<void>
  /** Removes channels (patterns with `psubscribe`, shard channels with `ssubscribe`). */
  unsubscribe(names: string | readonly string[], kind?: SubscribeKind): Promise<void>
  /** Calls `listener` on each such event; returns a function that removes it. */
  on<E extends SubscriptionEvent>(event: E, listener: (detail: SubscriptionEvents[E]) => void): () => void
  /** Unsubscribes, closes the connection and ends the iteration (messages still buffered are dropped). */
  close(): Promise<void>
}
