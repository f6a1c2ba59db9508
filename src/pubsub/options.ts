/** `subscribe()`'s options, checked up front with `TypeError`s that name the fix. */
import { openSharedSse } from '../client/http/shared-sse.ts'
import { attachSse } from '../client/http/sse-slot.ts'
import type { Client } from '../client/types.ts'
import type { OverflowPolicy } from './feed.ts'
import type { Backoff } from './link.ts'
import type { SubscriptionEvents } from './types.ts'

export interface DurableOptions {
  /** Where to start: `'now'` (default: only what is published from now on), `'0'` (everything kept), or an entry id. */
  from?: string
  /** The stream key for a channel. Default `` `floodgate:stream:${channel}` ``; use the same on the publisher. */
  key?: (channel: string) => string
  /** Most entries fetched per XREAD. Default 500. */
  count?: number
}

export interface SubscribeOptions {
  /** Glob patterns to subscribe to as well (`PSUBSCRIBE`), e.g. `['chat:*']`. */
  patterns?: readonly string[]
  /** The channels are shard channels (`SSUBSCRIBE`, Valkey 7+; routed by slot on a cluster). */
  sharded?: boolean
  /** Messages as `Uint8Array` instead of UTF-8 text. */
  bytes?: boolean
  /** Most messages waiting for the consumer. Default 10000. */
  maxBuffered?: number
  /** About the most bytes waiting for the consumer. Default 8 MiB. */
  maxBufferedBytes?: number
  /**
   * What to do when the consumer falls behind and the buffer is full: `'drop-oldest'` (default;
   * reported as a `gap`), `'error'` (the iteration ends with `SubscriberOverflowError`), or
   * `'pause'` (stop reading the connection so Valkey buffers, and drops the client past its
   * `client-output-buffer-limit pubsub`; a reconnect and a `gap` follow). Transports that cannot
   * pause (memory) drop the oldest.
   */
  overflow?: OverflowPolicy
  /** Reconnect backoff. */
  reconnect?: Backoff
  /** Durable mode on Valkey Streams: at-least-once, replays what a reconnect missed. */
  durable?: boolean | DurableOptions
  /** Closes the subscription when it aborts. */
  signal?: AbortSignal
  /** Shorthands for `subscription.on(...)`. */
  onConnect?: (detail: SubscriptionEvents['connect']) => void
  onDisconnect?: (detail: SubscriptionEvents['disconnect']) => void
  onGap?: (detail: SubscriptionEvents['gap']) => void
  onError?: (detail: SubscriptionEvents['error']) => void
}

const count = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!(Number.isSafeInteger(value) && value > 0))
    throw new TypeError(`${name} must be a positive integer, received ${String(value)}`)
  return value
}

export const names = (value: string | readonly string[] | undefined, what: string): string[] => {
  const list = value === undefined ? [] : typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || n === ''))
    throw new TypeError(
      `${what} must be a non-empty string or an array of them, e.g. 'chat' or ['chat', 'news']`,
    )
  return [...list]
}

export const resolveOptions = (client: Client, options: SubscribeOptions) => {
  // NOTE: the HTTP client's SSE reader is attached here, where subscribing starts, rather than
  // imported by the client: apps that never subscribe (most Workers) do not carry it.
  attachSse(openSharedSse)
  if (client === null || typeof client !== 'object' || typeof client.send !== 'function')
    throw new TypeError(
      'subscribe() takes a floodgate Client first: createClient(url) or createMemoryClient()',
    )
  if (typeof client.openSubscriber !== 'function')
    throw new TypeError(
      `this ${client.kind} client cannot subscribe (it has no openSubscriber): use a TCP, HTTP, cluster or memory client from floodgate`,
    )
  const overflow = options.overflow ?? 'drop-oldest'
  if (!['drop-oldest', 'error', 'pause'].includes(overflow))
    throw new TypeError(`overflow must be 'drop-oldest', 'error' or 'pause', received ${String(overflow)}`)
  const minDelay = options.reconnect?.minDelay ?? 100
  const maxDelay = options.reconnect?.maxDelay ?? 5000
  if (!(minDelay >= 0 && maxDelay >= minDelay))
    throw new TypeError(`reconnect needs 0 <= minDelay <= maxDelay, received ${minDelay} and ${maxDelay}`)
  return {
    overflow,
    maxMessages: count('maxBuffered', options.maxBuffered, 10_000),
    maxBytes: count('maxBufferedBytes', options.maxBufferedBytes, 8 * 1024 * 1024),
    backoff: { minDelay, maxDelay },
  }
}
