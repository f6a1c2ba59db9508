/**
 * The bounded buffer between the network and the consumer's `for await`, with the overflow policy.
 * Bounded both in messages and in bytes: a slow consumer never grows memory past `maxMessages` /
 * `maxBytes` (plus one message). On overflow: `drop-oldest` drops from the head and counts it;
 * `error` ends the iteration with a `SubscriberOverflowError`; `pause` tells the transport to stop
 * reading (`onFull`) and to go on below half (`onRoom`), so the server's buffers take the strain.
 */
import { FloodgateError } from '../errors.ts'
import type { PubSubMessage } from './types.ts'

export type OverflowPolicy = 'drop-oldest' | 'error' | 'pause'

/** The consumer fell behind and the subscription ended, as `overflow: 'error'` asks. */
export class SubscriberOverflowError extends FloodgateError {
  override name = 'SubscriberOverflowError'
  constructor(message: string) {
    super(message, { code: 'ERR_SUBSCRIBER_OVERFLOW' })
  }
}

export interface FeedOptions {
  maxMessages: number
  maxBytes: number
  overflow: OverflowPolicy
  /** A message was dropped (drop-oldest); `total` counts all so far. */
  onDrop(total: number): void
  /** The buffer is full and the policy is `error`. */
  onOverflow(error: SubscriberOverflowError): void
  /** `pause` policy: stop reading / go on reading. */
  onFull(): void
  onRoom(): void
  /** The consumer stopped iterating (`break`, `return()`). */
  onReturn(): void
}

export const sizeOf = (m: PubSubMessage): number =>
  m.message.length + m.channel.length + (m.pattern?.length ?? 0) + 64

export class Feed implements AsyncIterator<PubSubMessage> {
  readonly #options: FeedOptions
  #items: PubSubMessage[] = []
  #head = 0
  bytes = 0
  dropped = 0
  #full = false
  #ended = false
  #error: unknown
  #waiter: { resolve: (r: IteratorResult<PubSubMessage>) => void; reject: (e: unknown) => void } | undefined
  #iterated = false

  constructor(options: FeedOptions) {
    this.#options = options
  }

  get length(): number {
    return this.#items.length - this.#head
  }

  /** True when the buffer has room for another message under the bound. */
  get hasRoom(): boolean {
    return this.length < this.#options.maxMessages && this.bytes < this.#options.maxBytes
  }

  push(message: PubSubMessage): void {
    if (this.#ended) return
    const waiter = this.#waiter
    if (waiter !== undefined) {
      this.#waiter = undefined
      waiter.resolve({ value: message, done: false })
      return
    }
    const size = sizeOf(message)
    const { maxMessages, maxBytes, overflow } = this.#options
    if (this.length >= maxMessages || this.bytes + size > maxBytes) {
      if (overflow === 'error') {
        const error = new SubscriberOverflowError(
          `the consumer fell behind: ${this.length} messages (${this.bytes} bytes) were waiting; read faster, raise maxBuffered/maxBufferedBytes, or use overflow: 'drop-oldest'`,
        )
        this.end(error)
        this.#options.onOverflow(error)
        return
      }
      if (overflow === 'drop-oldest' || this.#full) {
        while (this.length > 0 && (this.length >= maxMessages || this.bytes + size > maxBytes)) {
          this.bytes -= sizeOf(this.#shift())
          this.dropped++
          this.#options.onDrop(this.dropped)
        }
      }
    }
    this.#items.push(message)
    this.bytes += size
    if (overflow === 'pause' && !this.#full && !this.hasRoom) {
      this.#full = true
      this.#options.onFull()
    }
  }

  #shift(): PubSubMessage {
    const item = this.#items[this.#head]!
    this.#items[this.#head++] = undefined as unknown as PubSubMessage
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  /** Ends the iteration: after what is buffered with no error, at once with one. */
  end(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.#error = error
    if (error !== undefined) {
      this.#items = []
      this.#head = 0
      this.bytes = 0
    }
    const waiter = this.#waiter
    this.#waiter = undefined
    if (waiter === undefined) return
    if (error === undefined) waiter.resolve({ value: undefined, done: true })
    else waiter.reject(error)
  }

  /** Drops what is buffered (close()). */
  clear(): void {
    this.#items = []
    this.#head = 0
    this.bytes = 0
  }

  claim(): this {
    if (this.#iterated) throw new TypeError('a subscription can be iterated once; open another subscription')
    this.#iterated = true
    return this
  }

  next(): Promise<IteratorResult<PubSubMessage>> {
    if (this.length > 0) {
      const value = this.#shift()
      this.bytes -= sizeOf(value)
      if (
        this.#full &&
        this.length <= this.#options.maxMessages / 2 &&
        this.bytes <= this.#options.maxBytes / 2
      ) {
        this.#full = false
        this.#options.onRoom()
      }
      return Promise.resolve({ value, done: false })
    }
    if (this.#ended) {
      if (this.#error !== undefined) {
        const error = this.#error
        this.#error = undefined
        return Promise.reject(error)
      }
      return Promise.resolve({ value: undefined, done: true })
    }
    if (this.#full) {
      this.#full = false
      this.#options.onRoom()
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  return(): Promise<IteratorResult<PubSubMessage>> {
    this.end()
    this.clear()
    this.#options.onReturn()
    return Promise.resolve({ value: undefined, done: true })
  }
}
