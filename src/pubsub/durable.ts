/**
 * Durable mode: each channel is a Valkey stream (`XADD MAXLEN ~`), read with `XREAD` from the last
 * id this subscriber saw. A plain pub/sub subscription to a wake-up channel (named after the key)
 * says when to read, and every (re)connect reads whatever arrived meanwhile, so a reconnect replays
 * what it missed: at-least-once, within what `MAXLEN` keeps. Reads never block (no `XREAD BLOCK`):
 * they share the client's connection with other commands and pass through the bridge's policy.
 * Reads stop while the consumer's buffer is full and go on when it has room, so a slow consumer
 * loses nothing until the stream trims past it (then a `trimmed` gap).
 */
import type { Client, Reply } from '../client/types.ts'
import { ReplyError } from '../errors.ts'
import { Emitter } from './events.ts'
import { Feed } from './feed.ts'
import { Link } from './link.ts'
import { type DurableOptions, names, resolveOptions, type SubscribeOptions } from './options.ts'
import type {
  PubSubMessage,
  Subscription,
  SubscriptionEvent,
  SubscriptionEvents,
  SubscriptionStats,
} from './types.ts'

/** The default stream key of a channel. */
export const streamKey = (channel: string): string => `floodgate:stream:${channel}`

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
const text = (value: Reply | undefined): string =>
  value instanceof Uint8Array ? utf8.decode(value) : String(value ?? '')

/** Compares two stream ids `ms-seq`. */
export const compareIds = (a: string, b: string): number => {
  const [am = '0', as = '0'] = a.split('-')
  const [bm = '0', bs = '0'] = b.split('-')
  const ms = BigInt(am) - BigInt(bm)
  if (ms !== 0n) return ms < 0n ? -1 : 1
  const seq = BigInt(as) - BigInt(bs)
  return seq === 0n ? 0 : seq < 0n ? -1 : 1
}

interface Reader {
  channel: string
  key: string
  last: string | undefined
  dirty: boolean
  running: boolean
}

export class DurableSubscription implements Subscription {
  readonly #client: Client
  readonly #emitter = new Emitter()
  readonly #feed: Feed
  readonly #link: Link
  readonly #readers = new Map<string, Reader>()
  readonly #byKey = new Map<string, Reader>()
  readonly #options: Required<Omit<DurableOptions, 'key'>> & Pick<DurableOptions, 'key'>
  readonly #bytes: boolean
  #received = 0
  #closed = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #started!: () => void
  #isStarted = false
  readonly #ready: Promise<void>
  readonly #signal: AbortSignal | undefined
  readonly #onAbort = () => void this.close()

  constructor(client: Client, channels: string[], options: SubscribeOptions) {
    const resolved = resolveOptions(client, options)
    const durable: DurableOptions = typeof options.durable === 'object' ? options.durable : {}
    this.#options = { from: durable.from ?? 'now', count: durable.count ?? 500, key: durable.key }
    this.#client = client
    this.#bytes = options.bytes === true
    this.#feed = new Feed({
      ...resolved,
      // Reading stops when the buffer is full, so nothing is ever dropped here.
      overflow: 'pause',
      onDrop: () => {},
      onOverflow: () => {},
      onFull: () => {},
      onRoom: () => this.#pump(),
      onReturn: () => void this.close(),
    })
    this.#link = new Link({
      client,
      emitter: this.#emitter,
      backoff: resolved.backoff,
      subscriberOptions: {},
      onMessage: (channel) => {
        const reader = this.#byKey.get(channel)
        if (reader) this.#read(reader)
      },
      onEnd: (error) => {
        this.#feed.end(error)
        void this.close()
      },
      // A reconnect loses nothing here: the catch-up read on `connect` replays it.
      onGap: () => {},
    })
    if (options.onConnect) this.on('connect', options.onConnect)
    if (options.onDisconnect) this.on('disconnect', options.onDisconnect)
    if (options.onGap) this.on('gap', options.onGap)
    if (options.onError) this.on('error', options.onError)
    const started = new Promise<void>((resolve) => {
      this.#started = resolve
    })
    this.#ready = this.#link.ready.then(() => started)
    this.#ready.catch(() => {})
    this.#emitter.on('connect', ({ reconnected }) => void this.#catchUp(reconnected))
    for (const channel of channels) this.#add(channel)
    this.#signal = options.signal
    if (this.#signal?.aborted) {
      void this.close()
      return
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#link.start()
  }

  #add(channel: string): Reader {
    const key = (this.#options.key ?? streamKey)(channel)
    const from = this.#options.from
    const reader: Reader = {
      channel,
      key,
      last: from === 'now' ? undefined : from,
      dirty: false,
      running: false,
    }
    this.#readers.set(channel, reader)
    this.#byKey.set(key, reader)
    this.#link.want.subscribe.add(key)
    return reader
  }

  /** After every (re)connect: read each stream from where it stopped; after a reconnect, check for trimming. */
  async #catchUp(reconnected: boolean): Promise<void> {
    // 'now' means after the newest entry when subscribed: found before `ready` resolves, so a
    // message published once `ready` resolved is always read.
    for (const reader of this.#readers.values()) {
      if (reader.last !== undefined) continue
      try {
        const newest = await this.#newest(reader.key)
        reader.last ??= newest
      } catch (error) {
        this.#emitter.emit('error', { error })
      }
    }
    this.#isStarted = true
    this.#started()
    for (const reader of this.#readers.values()) {
      if (reconnected && reader.last !== undefined) await this.#checkTrimmed(reader)
      this.#read(reader)
    }
  }

  /** The id of the stream's newest entry, or `0-0` when it has none. */
  async #newest(key: string): Promise<string> {
    const newest = (await this.#client.send(['XREVRANGE', key, '+', '-', 'COUNT', 1])) as Reply[]
    return newest.length > 0 ? text((newest[0] as Reply[])[0]) : '0-0'
  }

  /**
   * Trimming leaves no trace per entry (`max-deleted-entry-id` only follows XDEL), so: the oldest
   * entry kept is newer than the last one read, and entries were removed. That may also flag a
   * trim that stopped exactly at our last entry: a gap says messages *may* have been lost.
   */
  async #checkTrimmed(reader: Reader): Promise<void> {
    try {
      const info = (await this.#client.send(['XINFO', 'STREAM', reader.key])) as Reply[]
      const field = (name: string) => info[info.findIndex((v) => text(v) === name) + 1]
      const first = field('first-entry') as Reply[] | null
      const removed = Number(field('entries-added')) - Number(field('length'))
      if (Array.isArray(first) && removed > 0 && compareIds(text(first[0]), reader.last!) > 0)
        this.#emitter.emit('gap', { reason: 'trimmed', channels: [reader.channel] })
    } catch (error) {
      // No stream yet (nothing published): nothing was trimmed.
      if (!(error instanceof ReplyError)) this.#emitter.emit('error', { error })
    }
  }

  #pump(): void {
    for (const reader of this.#readers.values()) if (reader.dirty) this.#read(reader)
  }

  /** Reads `reader`'s stream from its last id while the consumer has room. */
  #read(reader: Reader): void {
    reader.dirty = true
    // Before the first catch-up has found where 'now' is, a wake-up only marks the stream.
    if (reader.running || this.#closed || !this.#isStarted) return
    reader.running = true
    void this.#drain(reader).finally(() => {
      reader.running = false
    })
  }

  async #drain(reader: Reader): Promise<void> {
    while (reader.dirty && !this.#closed && this.#feed.hasRoom) {
      reader.dirty = false
      try {
        if (reader.last === undefined) {
          // 'now' for a channel added later: start after the newest entry there is.
          reader.last = await this.#newest(reader.key)
        }
        const reply = (await this.#client.send(
          ['XREAD', 'COUNT', this.#options.count, 'STREAMS', reader.key, reader.last],
          this.#bytes ? { bytes: true } : undefined,
        )) as Reply[][] | null
        const entries = (reply?.[0]?.[1] ?? []) as Reply[][]
        for (const [rawId, fields] of entries) {
          const id = text(rawId)
          const list = (fields ?? []) as Reply[]
          const message = (list[1] ?? '') as string | Uint8Array
          reader.last = id
          this.#received++
          if (!this.#closed) this.#feed.push({ channel: reader.channel, message, id } satisfies PubSubMessage)
        }
        if (entries.length >= this.#options.count) reader.dirty = true
      } catch (error) {
        if (this.#closed) return
        reader.dirty = true
        this.#emitter.emit('error', { error })
        clearTimeout(this.#retry)
        this.#retry = setTimeout(() => this.#pump(), 500)
        return
      }
    }
  }

  get ready(): Promise<void> {
    return this.#ready
  }

  get connected(): boolean {
    return this.#link.connected
  }

  get stats(): SubscriptionStats {
    return {
      received: this.#received,
      dropped: 0,
      buffered: this.#feed.length,
      bufferedBytes: this.#feed.bytes,
      reconnects: this.#link.reconnects,
    }
  }

  async subscribe(list: string | readonly string[]): Promise<void> {
    const fresh = names(list, 'channels').filter((channel) => !this.#readers.has(channel))
    const readers = fresh.map((channel) => this.#add(channel))
    await this.#link.add(
      'subscribe',
      readers.map((r) => r.key),
    )
    for (const reader of readers) this.#read(reader)
  }

  async unsubscribe(list: string | readonly string[]): Promise<void> {
    const keys: string[] = []
    for (const channel of names(list, 'channels')) {
      const reader = this.#readers.get(channel)
      if (!reader) continue
      this.#readers.delete(channel)
      this.#byKey.delete(reader.key)
      keys.push(reader.key)
    }
    await this.#link.remove('subscribe', keys)
  }

  on<E extends SubscriptionEvent>(event: E, listener: (detail: SubscriptionEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#signal?.removeEventListener('abort', this.#onAbort)
    clearTimeout(this.#retry)
    this.#feed.end()
    this.#feed.clear()
    this.#link.close()
  }

  [Symbol.asyncIterator](): AsyncIterator<PubSubMessage> {
    return this.#feed.claim()
  }
}
