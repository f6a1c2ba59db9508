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

/** One of each per kind: channels, shard channels and patterns are three namespaces. */
type ByKind<T> = Record<SubscribeKind, T>
const byKind = <T>(make: () => T): ByKind<T> => ({
  subscribe: make(),
  psubscribe: make(),
  ssubscribe: make(),
})
const KINDS: readonly SubscribeKind[] = ['subscribe', 'psubscribe', 'ssubscribe']

class Hub {
  readonly connection: Promise<SubscriberConnection>
  readonly #members = new Set<Member>()
  /**
   * Who gets a message, by kind and name; the server stays subscribed to a name while its list is
   * not empty. Lists replaced, not changed, when a member comes or goes: the fan-out runs once per
   * message, the changes rarely.
   */
  readonly #routes = byKind(() => new Map<string, readonly Member[]>())
  /** The server's answer to the command that subscribed each name, awaited by later members too. */
  readonly #ready = byKind(() => new Map<string, Promise<void>>())
  #paused = 0
  #onEmpty: () => void
  closed = false

  constructor(open: Open, options: SubscriberOptions, onEmpty: () => void) {
    this.#onEmpty = onEmpty
    const { subscribe: channels, ssubscribe: shards, psubscribe: patterns } = this.#routes
    this.connection = open(
      {
        onMessage: (channel, message, pattern, sharded) => {
          const members =
            pattern !== undefined
              ? patterns.get(pattern)
              : sharded === true
                ? shards.get(channel)
                : channels.get(channel)
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
    const routes = this.#routes[kind]
    const ready = this.#ready[kind]
    const wanted = member.names[kind]
    const fresh: string[] = []
    const waits: Promise<void>[] = []
    for (const name of names) {
      if (wanted.has(name)) continue
      wanted.add(name)
      routes.set(name, [...(routes.get(name) ?? []), member])
      const asked = ready.get(name)
      if (asked === undefined) fresh.push(name)
      else waits.push(asked)
    }
    if (fresh.length > 0) {
      const asked = connection.subscribe(kind, fresh)
      for (const name of fresh) ready.set(name, asked)
      // Refused (NOPERM, MOVED): forget it, so the next subscription asks the server again.
      asked.catch(() => {
        for (const name of fresh) if (ready.get(name) === asked) ready.delete(name)
      })
      waits.push(asked)
    }
    await Promise.all(waits)
  }

  async unsubscribe(member: Member, kind: SubscribeKind, names: readonly string[]): Promise<void> {
    const routes = this.#routes[kind]
    const gone: string[] = []
    for (const name of names) {
      if (!member.names[kind].delete(name)) continue
      const left = routes.get(name)?.filter((m) => m !== member) ?? []
      if (left.length > 0) routes.set(name, left)
      else {
        routes.delete(name)
        // The last member let go: the server is told, unless it refused the name in the first place.
        if (this.#ready[kind].delete(name)) gone.push(name)
      }
    }
    if (gone.length > 0 && !this.closed) await (await this.connection).unsubscribe(kind, gone)
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
    // One command for all of the member's channels, and one for its patterns. Shard channels go
    // one by one: on a cluster node, one SUNSUBSCRIBE naming several slots is refused (CROSSSLOT).
    for (const kind of KINDS) {
      const names = [...member.names[kind]]
      const groups = kind === 'ssubscribe' ? names.map((name) => [name]) : [names]
      for (const group of groups)
        if (group.length > 0) void this.unsubscribe(member, kind, group).catch(() => {})
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
  /** The names this subscription wants, by kind. */
  readonly names = byKind(() => new Set<string>())
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
