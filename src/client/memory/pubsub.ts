/**
 * PUBLISH / SUBSCRIBE inside one process: the memory backend's broker. A message reaches every
 * subscriber of the same memory client synchronously, before PUBLISH answers, in publish order. As
 * on Valkey, a subscriber gets a message once per matching channel and once per matching pattern.
 * Shard channels live in a namespace of their own, as on Valkey (one process is one shard): SPUBLISH
 * reaches only SSUBSCRIBE, PUBLISH only SUBSCRIBE and PSUBSCRIBE.
 */
import { TransportError } from '../../errors.ts'
import type { SubscribeKind, SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import { globMatch } from './glob.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

class MemorySubscriber implements SubscriberConnection {
  readonly channels = new Set<string>()
  readonly patterns = new Set<string>()
  readonly shards = new Set<string>()
  readonly #broker: Broker
  readonly #handlers: SubscriberHandlers
  readonly #bytes: boolean
  #closed = false

  constructor(broker: Broker, handlers: SubscriberHandlers, bytes: boolean) {
    this.#broker = broker
    this.#handlers = handlers
    this.#bytes = bytes
  }

  #set(kind: SubscribeKind): Set<string> {
    return kind === 'subscribe' ? this.channels : kind === 'psubscribe' ? this.patterns : this.shards
  }

  async subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    if (this.#closed) throw new TransportError('the subscriber connection is closed')
    for (const name of names) this.#set(kind).add(name)
  }

  async unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    for (const name of names) this.#set(kind).delete(name)
  }

  close(): void {
    this.#closed = true
    this.#broker.subscribers.delete(this)
  }

  /** Ends the connection from the broker's side (the memory client closed). */
  end(): void {
    this.close()
    this.#handlers.onClose(new TransportError('the memory client was closed'))
  }

  deliver(channel: string, message: string | Uint8Array, sharded: boolean): number {
    const payload = this.#bytes
      ? typeof message === 'string'
        ? encoder.encode(message)
        : message.slice()
      : typeof message === 'string'
        ? message
        : decoder.decode(message)
    let count = 0
    if (sharded) {
      if (this.shards.has(channel)) {
        this.#handlers.onMessage(channel, payload, undefined, true)
        count++
      }
      return count
    }
    if (this.channels.has(channel)) {
      this.#handlers.onMessage(channel, payload)
      count++
    }
    for (const pattern of this.patterns) {
      if (!globMatch(pattern, channel)) continue
      this.#handlers.onMessage(channel, payload, pattern)
      count++
    }
    return count
  }
}

/** The broker one memory client owns. */
export class Broker {
  readonly subscribers = new Set<MemorySubscriber>()

  open(handlers: SubscriberHandlers, options: SubscriberOptions = {}): SubscriberConnection {
    const subscriber = new MemorySubscriber(this, handlers, options.bytes === true)
    this.subscribers.add(subscriber)
    return subscriber
  }

  /** Delivers to every matching subscription; the count PUBLISH answers. */
  publish(channel: string, message: string | Uint8Array, sharded: boolean): number {
    let count = 0
    for (const subscriber of [...this.subscribers]) count += subscriber.deliver(channel, message, sharded)
    return count
  }

  close(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end()
  }
}
