/**
 * Subscribing on a cluster. Classic channels and patterns live on one connection to any primary
 * (a classic PUBLISH reaches every node). Shard channels (`SSUBSCRIBE`) are grouped by slot, one
 * command per slot, on a connection to the primary serving it; a MOVED while subscribing re-reads
 * the map and goes on at the owner. When a slot moves away later, Valkey unsubscribes its shard
 * channels by itself (an `sunsubscribe` push): the node's subscriber ends, this connection ends
 * with it, and the layer above resubscribes through the new map and reports the gap.
 */
import { ReplyError, TransportError } from '../../errors.ts'
import { delay } from '../deadlines.ts'
import type { SubscribeKind, SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import type { ClusterNodes } from './nodes.ts'
import { keySlot } from './slot.ts'
import type { NodeAddress } from './topology.ts'

const RETRYABLE = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN'])

/** `names` grouped by `keyOf`, in first-seen order. */
const groupBy = <K>(names: Iterable<string>, keyOf: (name: string) => K): Map<K, string[]> => {
  const groups = new Map<K, string[]>()
  for (const name of names) {
    const key = keyOf(name)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [name])
    else group.push(name)
  }
  return groups
}

class ClusterSubscriber implements SubscriberConnection {
  readonly #nodes: ClusterNodes
  readonly #handlers: SubscriberHandlers
  readonly #options: SubscriberOptions
  readonly #connections = new Map<string, Promise<SubscriberConnection>>()
  /** Where each shard channel was subscribed, to unsubscribe it there. */
  readonly #placed = new Map<string, string>()
  #classic: NodeAddress | undefined
  #ended = false
  #paused = false

  constructor(nodes: ClusterNodes, handlers: SubscriberHandlers, options: SubscriberOptions) {
    this.#nodes = nodes
    this.#handlers = handlers
    this.#options = options
  }

  #connection(node: NodeAddress): Promise<SubscriberConnection> {
    let connection = this.#connections.get(node.key)
    if (connection === undefined) {
      const client = this.#nodes.client(node)
      connection = client.openSubscriber!(
        {
          // With its kind: one node's connection may carry a classic channel and the shard channel
          // of the same name (the classic node is any primary), which are two channels.
          onMessage: this.#handlers.onMessage,
          onClose: (error) => {
            // The node may be gone (a failover): the next subscriber must see the new map.
            void this.#nodes.refresh().catch(() => {})
            this.#end(error)
          },
        },
        this.#options,
      ).then((opened) => {
        if (this.#ended) opened.close()
        else if (this.#paused) opened.pause?.()
        return opened
      })
      connection.catch(() => {
        this.#connections.delete(node.key)
        // Unreachable: perhaps failed over. Re-read the map before the layer above retries.
        void this.#nodes.refresh().catch(() => {})
      })
      this.#connections.set(node.key, connection)
    }
    return connection
  }

  async subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    if (this.#ended) throw new TransportError('the subscriber connection is closed')
    if (kind !== 'ssubscribe') {
      this.#classic ??= this.#nodes.anyPrimary()
      return (await this.#connection(this.#classic)).subscribe(kind, names)
    }
    const bySlot = groupBy(names, keySlot)
    await Promise.all([...bySlot].map(([slot, group]) => this.#subscribeSlot(slot, group)))
  }

  async #subscribeSlot(slot: number, names: string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const shard = this.#nodes.shardOf(slot)
      try {
        if (!shard) throw new ReplyError(`CLUSTERDOWN Hash slot ${slot} is not served by any node right now`)
        await (await this.#connection(shard.primary)).subscribe('ssubscribe', names)
        for (const name of names) this.#placed.set(name, shard.primary.key)
        return
      } catch (error) {
        if (!(error instanceof ReplyError && RETRYABLE.has(error.code)) || attempt >= 8 || this.#ended)
          throw error
        await delay(50 * 2 ** Math.min(attempt, 4))
        await this.#nodes.refresh().catch(() => {})
      }
    }
  }

  async unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    if (kind !== 'ssubscribe') {
      if (this.#classic) await (await this.#connection(this.#classic)).unsubscribe(kind, names)
      return
    }
    // Each name once, at the node it was subscribed on; forgotten from here on.
    const placed = [...new Set(names)].filter((name) => this.#placed.has(name))
    const byNode = groupBy(placed, (name) => this.#placed.get(name)!)
    for (const name of names) this.#placed.delete(name)
    await Promise.all(
      [...byNode].map(async ([key, group]) => {
        const connection = await this.#connections.get(key)
        // One SUNSUBSCRIBE per slot, as for SSUBSCRIBE.
        const bySlot = groupBy(group, keySlot)
        await Promise.all([...bySlot.values()].map((names) => connection?.unsubscribe('ssubscribe', names)))
      }),
    )
  }

  /** Runs `act` on every node connection once it is open (one that failed to open is skipped). */
  #each(act: (connection: SubscriberConnection) => void): void {
    for (const connection of this.#connections.values()) void connection.then(act, () => {})
  }

  pause(): void {
    this.#paused = true
    this.#each((c) => c.pause?.())
  }

  resume(): void {
    this.#paused = false
    this.#each((c) => c.resume?.())
  }

  close(): void {
    this.#end(undefined, false)
  }

  #end(error: unknown, report = true): void {
    if (this.#ended) return
    this.#ended = true
    this.#each((c) => c.close())
    this.#connections.clear()
    if (report) this.#handlers.onClose(error)
  }
}

/**
 * Opens a cluster subscriber once the map is known; node connections open as names need them.
 *
 * @example
 * const sub = await openClusterSubscriber(nodes, handlers, {})
 * await sub.subscribe('ssubscribe', ['{room:1}:chat'])
 */
export const openClusterSubscriber = async (
  nodes: ClusterNodes,
  handlers: SubscriberHandlers,
  options: SubscriberOptions = {},
): Promise<SubscriberConnection> => {
  await nodes.ready()
  return new ClusterSubscriber(nodes, handlers, options)
}
