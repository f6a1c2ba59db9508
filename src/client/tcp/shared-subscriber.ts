/**
 * Subscriptions opened from one client share one subscriber connection: each frame is read and
 * decoded once and handed to every subscription that wants its channel or pattern, instead of
 * once per subscription on a connection of its own. The server is subscribed to each name once,
 * for as long as one subscription wants it. Channels, shard channels and patterns are three
 * namespaces, as on Valkey: `x` subscribed with SUBSCRIBE and `x` with SSUBSCRIBE are two names,
 * each with its own subscribers and its own count, and a message goes by its kind (`message`,
 * `smessage`, `pmessage`) to the subscribers of that kind only. When the connection drops, every
 * subscription on it is told (`onClose`) and reconnects through `open`, which starts the next
 * shared connection.
 * Flow control is shared too: while any subscription asks to pause, the connection is not read;
 * so a subscription that pauses when full (`exclusive`) gets a connection of its own.
 */
import { TransportError } from '../../errors.ts'
import type { SubscribeKind, SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'

type Open = (handlers: SubscriberHandlers, options: SubscriberOptions) => Promise<SubscriberConnection>

/** A name the server is subscribed to, with how many subscriptions want it. */
interface Held {
  count: number
  ready: Promise<void>
}

class Hub {
  readonly connection: Promise<SubscriberConnection>
  readonly #members = new Set<Member>()
  /**
   * Who gets a message: by channel, by shard channel, or by pattern. Arrays replaced, not changed,
   * when a member comes or goes: the fan-out runs once per message, the changes rarely.
   */
  readonly #channels = new Map<string, readonly Member[]>()
  readonly #shards = new Map<string, readonly Member[]>()
  readonly #patterns = new Map<string, readonly Member[]>()
  /** By `<kind>:<name>`. */
  readonly #held = new Map<string, Held>()
  #paused = 0
  #onEmpty: () => void
  closed = false

  constructor(open: Open, options: SubscriberOptions, onEmpty: () => void) {
    this.#onEmpty = onEmpty
    this.connection = open(
      {
        onMessage: (channel, message, pattern, sharded) => {
          const members =
            pattern !== undefined
              ? this.#patterns.get(pattern)
              : sharded === true
                ? this.#shards.get(channel)
                : this.#channels.get(channel)
          if (members === undefined) return
          for (let i = 0; i < members.length; i++)
            members[i]!.handlers.onMessage(channel, message, pattern, sharded)
        },
        onClose: (error) => this.#drop(error),
      },
      options,
    )
    // Members still waiting for it get the error from `open`; none has a connection to lose yet.
    this.connection.catch(() => {
      this.closed = true
      this.#onEmpty()
    })
  }

  join(member: Member): void {
    this.#members.add(member)
  }

  async subscribe(member: Member, kind: SubscribeKind, names: readonly string[]): Promise<void> {
    const connection = await this.connection
    const fresh: string[] = []
    const waits: Promise<void>[] = []
    for (const name of names) {
      const k = `${kind}:${name}`
      if (member.names.has(k)) continue
      member.names.add(k)
      const routes = this.#routesOf(kind)
      routes.set(name, [...(routes.get(name) ?? []), member])
      const held = this.#held.get(k)
      if (held === undefined) fresh.push(name)
      else {
        held.count++
        waits.push(held.ready)
      }
    }
    if (fresh.length > 0) {
      const ready = connection.subscribe(kind, fresh)
      for (const name of fresh) this.#held.set(`${kind}:${name}`, { count: 1, ready })
      // Refused (NOPERM, MOVED): forget it, so the next subscription asks the server again.
      ready.catch(() => {
        for (const name of fresh) {
          if (this.#held.get(`${kind}:${name}`)?.ready === ready) this.#held.delete(`${kind}:${name}`)
        }
      })
      waits.push(ready)
    }
    await Promise.all(waits)
  }

  async unsubscribe(member: Member, kind: SubscribeKind, names: readonly string[]): Promise<void> {
    const gone: string[] = []
    for (const name of names) {
      const k = `${kind}:${name}`
      if (!member.names.delete(k)) continue
      const routes = this.#routesOf(kind)
      const left = routes.get(name)?.filter((m) => m !== member) ?? []
      if (left.length > 0) routes.set(name, left)
      else routes.delete(name)
      const held = this.#held.get(k)
      if (held !== undefined && --held.count === 0) {
        this.#held.delete(k)
        gone.push(name)
      }
    }
    if (gone.length > 0 && !this.closed) await (await this.connection).unsubscribe(kind, gone)
  }

  #routesOf(kind: SubscribeKind): Map<string, readonly Member[]> {
    return kind === 'subscribe' ? this.#channels : kind === 'ssubscribe' ? this.#shards : this.#patterns
  }

  pause(): void {
    if (this.#paused++ === 0) this.connection.then((c) => c.pause?.()).catch(() => {})
  }

  resume(): void {
    if (--this.#paused === 0) this.connection.then((c) => c.resume?.()).catch(() => {})
  }

  leave(member: Member): void {
    if (!this.#members.delete(member)) return
    if (this.#members.size === 0) {
      this.closed = true
      this.#onEmpty()
      void this.connection.then((c) => c.close()).catch(() => {})
      return
    }
    for (const k of [...member.names]) {
      const colon = k.indexOf(':')
      void this.unsubscribe(member, k.slice(0, colon) as SubscribeKind, [k.slice(colon + 1)]).catch(() => {})
    }
    if (member.paused) this.resume()
  }

  #drop(error?: unknown): void {
    if (this.closed) return
    this.closed = true
    this.#onEmpty()
    for (const member of [...this.#members]) member.drop(error)
    this.#members.clear()
  }
}

class Member implements SubscriberConnection {
  readonly hub: Hub
  readonly handlers: SubscriberHandlers
  /** `<kind>:<name>` this subscription wants. */
  readonly names = new Set<string>()
  paused = false
  #ended = false

  constructor(hub: Hub, handlers: SubscriberHandlers) {
    this.hub = hub
    this.handlers = handlers
  }

  subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    if (this.#ended) return Promise.reject(new TransportError('the subscriber connection is closed'))
    return this.hub.subscribe(this, kind, names)
  }

  unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    return this.hub.unsubscribe(this, kind, names)
  }

  pause(): void {
    if (this.paused || this.#ended) return
    this.paused = true
    this.hub.pause()
  }

  resume(): void {
    if (!this.paused || this.#ended) return
    this.paused = false
    this.hub.resume()
  }

  close(): void {
    if (this.#ended) return
    this.#ended = true
    this.hub.leave(this)
  }

  drop(error?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    this.handlers.onClose(error)
  }
}

/**
 * One shared subscriber connection per client and mode (text or bytes), opened on first use.
 *
 * @example
 * const shared = sharedSubscribers((handlers, options) => openTcpSubscriber(config, handlers, options))
 * const connection = await shared(handlers, {})
 */
export const sharedSubscribers = (open: Open) => {
  const hubs = new Map<boolean, Hub>()
  return async (
    handlers: SubscriberHandlers,
    options: SubscriberOptions = {},
  ): Promise<SubscriberConnection> => {
    if (options.exclusive === true) return open(handlers, options)
    const bytes = options.bytes === true
    let hub = hubs.get(bytes)
    if (hub === undefined || hub.closed) {
      const fresh: Hub = new Hub(open, options, () => {
        if (hubs.get(bytes) === fresh) hubs.delete(bytes)
      })
      hub = fresh
      hubs.set(bytes, hub)
    }
    const member = new Member(hub, handlers)
    hub.join(member)
    try {
      await hub.connection
    } catch (error) {
      member.close()
      throw error
    }
    return member
  }
}
