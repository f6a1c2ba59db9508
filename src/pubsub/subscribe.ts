/**
 * `subscribe()` and `psubscribe()`: the entry points. They pick the plain or the durable
 * subscription from the options and check the arguments; everything else is in `LiveSubscription`
 * and `DurableSubscription`.
 */
import type { Client } from '../client/types.ts'
import { DurableSubscription } from './durable.ts'
import { names, type SubscribeOptions } from './options.ts'
import { LiveSubscription } from './subscription.ts'
import type { Subscription } from './types.ts'

/**
 * Subscribes to channels on any floodgate client (TCP, HTTP to the bridge or Upstash, cluster,
 * memory). The subscription is an async iterable of `{ channel, message, pattern? }`; it
 * reconnects and resubscribes by itself, and reports each possible loss as a `gap` event
 * (pub/sub is at-most-once; pass `durable: true` for at-least-once delivery on Streams).
 *
 * @example
 * const sub = subscribe(client, ['chat'], { onGap: () => reloadHistory() })
 * for await (const { channel, message } of sub) console.log(channel, message)
 */
export const subscribe = (
  client: Client,
  channels: string | readonly string[],
  options: SubscribeOptions = {},
): Subscription => {
  const list = names(channels, 'channels')
  if (options.durable) {
    if (options.patterns?.length || options.sharded)
      throw new TypeError('durable mode takes plain channels only (no patterns, no sharded channels)')
    return new DurableSubscription(client, list, options)
  }
  return new LiveSubscription(client, list, options)
}

/**
 * Subscribes to glob patterns (`PSUBSCRIBE`): `subscribe(client, [], { patterns })`.
 *
 * @example
 * for await (const { pattern, channel, message } of psubscribe(client, 'chat:*')) console.log(channel, message)
 */
export const psubscribe = (
  client: Client,
  patterns: string | readonly string[],
  options: Omit<SubscribeOptions, 'patterns' | 'durable'> = {},
): Subscription => new LiveSubscription(client, [], { ...options, patterns: names(patterns, 'patterns') })
