/**
 * The cluster client's view of the cluster: the slot map and one pipelined connection per node,
 * created on first use. The map is read at startup and re-read when a redirection or a lost
 * connection says it is stale; re-reads are debounced, and concurrent callers share one.
 */
import { ReplyError, TransportError } from '../../errors.ts'
import { delay } from '../deadlines.ts'
import type { Client, Command, Reply, SendOptions } from '../types.ts'
import { type NodeAddress, parseShards, parseSlots, type Shard, type Topology } from './topology.ts'

/** Builds the connection to one node. `readonly` connections serve replica reads. */
export type NodeFactory = (node: NodeAddress, readonly: boolean) => Client

export interface NodesOptions {
  seeds: readonly NodeAddress[]
  factory: NodeFactory
  /** Never re-read the map more often than this (ms). */
  refreshInterval: number
  /** How long one node may take to answer `CLUSTER SHARDS` before the next is asked (ms). */
  refreshTimeout: number
  /** Added to `refreshTimeout` for the first read, which has to open a connection first. */
  connectTimeout: number
  /** Dial the nodes' TLS ports. */
  tls: boolean
}

const shuffle = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

/** A readonly node connection: every command goes out behind `READONLY`, so reconnects keep it. */
const readonlyClient = (inner: Client): Client => {
  const send = async (command: Command, options?: SendOptions): Promise<Reply> => {
    const [, reply] = await inner.pipeline([['READONLY'], command], options)
    if (reply instanceof ReplyError) throw reply
    return reply as Reply
  }
  return {
    kind: inner.kind,
    send,
    pipeline: async (commands, options) =>
      (await inner.pipeline([['READONLY'], ...commands], options)).slice(1),
    eval: () => Promise.reject(new TypeError('scripts run on primaries only')),
    close: () => inner.close(),
  }
}

export class ClusterNodes {
  #options: NodesOptions
  #topology: Topology | undefined
  #clients = new Map<string, Client>()
  #loading: Promise<void> | undefined
  #refreshing: Promise<void> | undefined
  #lastRefresh = 0
  #useSlots = false
  #closed = false

  constructor(options: NodesOptions) {
    this.#options = options
  }

  /** Resolves once the first map has been read. */
  ready(): Promise<void> | undefined {
    if (this.#topology) return undefined
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  /** True once `close()` was called: nothing is sent or retried after that. */
  get closed(): boolean {
    return this.#closed
  }

  get topology(): Topology {
    if (!this.#topology) throw new TransportError('the cluster map has not been read yet')
    return this.#topology
  }

  /** The connection to `node` (a primary connection unless `readonly`). */
  client(node: NodeAddress, readonly = false): Client {
    const id = readonly ? `ro:${node.key}` : node.key
    let client = this.#clients.get(id)
    if (!client) {
      if (this.#closed) throw new TransportError('the cluster client is closed')
      const inner = this.#options.factory(node, readonly)
      client = readonly ? readonlyClient(inner) : inner
      this.#clients.set(id, client)
    }
    return client
  }

  /** The shard serving `slot`, or `undefined` while no node serves it. */
  shardOf(slot: number): Shard | undefined {
    return this.topology.shards[this.topology.slots[slot]!]
  }

  /** The connection to `node` if one was made, without making one. */
  existing(node: NodeAddress): Client | undefined {
    return this.#clients.get(node.key)
  }

  /** Every primary of the map read so far (none before the first read). */
  knownPrimaries(): NodeAddress[] {
    return this.#topology ? this.primaries() : []
  }

  /** A random primary, for commands without keys. */
  anyPrimary(): NodeAddress {
    const shards = this.topology.shards
    return shards[Math.floor(Math.random() * shards.length)]!.primary
  }

  /** Every primary, once each. */
  primaries(): NodeAddress[] {
    const seen = new Map<string, NodeAddress>()
    for (const shard of this.topology.shards) seen.set(shard.primary.key, shard.primary)
    return [...seen.values()]
  }

  /** A MOVED reply: `node` serves `slot` now. Patches the map at once and re-reads it soon. */
  moved(slot: number, node: NodeAddress): void {
    const topology = this.topology
    let index = topology.shards.findIndex((shard) => shard.primary.key === node.key)
    if (index === -1) {
      const shards = [...topology.shards, { primary: node, replicas: [] }]
      this.#topology = { shards, slots: topology.slots }
      index = shards.length - 1
    }
    topology.slots[slot] = index
    void this.refresh().catch(() => {})
  }

  /** Re-reads the map, at most once per `refreshInterval`; concurrent callers share the read. */
  refresh(): Promise<void> {
    if (this.#refreshing) return this.#refreshing
    const wait = this.#lastRefresh + this.#options.refreshInterval - Date.now()
    this.#refreshing = (async () => {
      try {
        if (wait > 0) await delay(wait)
        await this.#load()
      } finally {
        this.#lastRefresh = Date.now()
        this.#refreshing = undefined
      }
    })()
    return this.#refreshing
  }

  async close(): Promise<void> {
    this.#closed = true
    const clients = [...this.#clients.values()]
    this.#clients.clear()
    await Promise.allSettled(clients.map((client) => client.close()))
  }

  /** Asks known nodes (primaries first, then replicas, then the seeds), a few at a time. */
  async #load(): Promise<void> {
    const known = this.#topology?.shards ?? []
    const candidates = new Map<string, NodeAddress>()
    for (const node of shuffle(known.map((shard) => shard.primary))) candidates.set(node.key, node)
    for (const node of shuffle(known.flatMap((shard) => shard.replicas))) candidates.set(node.key, node)
    for (const node of this.#options.seeds) candidates.set(node.key, node)
    const queue = [...candidates.values()]
    const errors: string[] = []
    while (queue.length > 0) {
      const wave = queue.splice(0, 3)
      try {
        const topology = await Promise.any(wave.map((node) => this.#read(node)))
        this.#install(topology)
        return
      } catch (error) {
        const reasons = error instanceof AggregateError ? error.errors : [error]
        for (const reason of reasons) errors.push(reason instanceof Error ? reason.message : String(reason))
      }
    }
    throw new TransportError(
      `could not read the cluster map from any of ${candidates.size} nodes; check the seed addresses and that the nodes run with cluster-enabled yes (${errors.slice(0, 3).join('; ')})`,
    )
  }

  async #read(node: NodeAddress): Promise<Topology> {
    const { refreshTimeout, connectTimeout } = this.#options
    // The first read also opens the connection (TCP, TLS, AUTH): a cold start on a busy host
    // must not fail for being slow to connect while the server answers in time.
    const options = { timeout: this.#topology ? refreshTimeout : refreshTimeout + connectTimeout }
    const client = this.client(node)
    if (!this.#useSlots) {
      try {
        return parseShards(await client.send(['CLUSTER', 'SHARDS'], options), node.host, this.#options.tls)
      } catch (error) {
        // Servers before 7.0 do not know CLUSTER SHARDS; they all know CLUSTER SLOTS.
        if (!(error instanceof ReplyError) || !/unknown subcommand|unknown command/i.test(error.message))
          throw error
        this.#useSlots = true
      }
    }
    return parseSlots(await client.send(['CLUSTER', 'SLOTS'], options), node.host)
  }

  /** Takes the new map and closes connections to nodes that left it. */
  #install(topology: Topology): void {
    this.#topology = topology
    const live = new Set<string>()
    for (const shard of topology.shards) {
      live.add(shard.primary.key)
      for (const replica of shard.replicas) live.add(replica.key)
    }
    for (const seed of this.#options.seeds) live.add(seed.key)
    for (const [id, client] of this.#clients) {
      if (live.has(id.startsWith('ro:') ? id.slice(3) : id)) continue
      this.#clients.delete(id)
      void client.close().catch(() => {})
    }
  }
}
