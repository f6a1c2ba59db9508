/**
 * The cluster's map: which node serves each of the 16384 slots, and its replicas. Read from
 * `CLUSTER SHARDS` (Valkey 7+, Redis 7+) or, on older servers, `CLUSTER SLOTS`; both replies are
 * parsed here from their RESP2 shapes (a RESP3 map arrives flattened into `[key, value, ...]`).
 */
import { ProtocolError } from '../../errors.ts'
import type { Reply } from '../types.ts'
import { SLOTS } from './slot.ts'

/** A node's address, e.g. `{ host: '10.0.0.7', port: 6379 }`; `key` is `host:port`. */
export interface NodeAddress {
  readonly host: string
  readonly port: number
  readonly key: string
}

export interface Shard {
  readonly primary: NodeAddress
  /** Replicas that are online and in sync enough to serve reads. */
  readonly replicas: readonly NodeAddress[]
}

export interface Topology {
  readonly shards: readonly Shard[]
  /** `slots[slot]` is the index in `shards` of the shard serving it, or -1 when nobody does. */
  readonly slots: Int16Array
}

export const address = (host: string, port: number): NodeAddress => ({ host, port, key: `${host}:${port}` })

const fields = (flat: Reply): Map<string, Reply> => {
  const out = new Map<string, Reply>()
  if (!Array.isArray(flat)) return out
  for (let i = 0; i + 1 < flat.length; i += 2) out.set(String(flat[i]), flat[i + 1]!)
  return out
}

/**
 * Where to reach a node: its `endpoint`, unless that is unknown (`?`, or empty), then its `ip`.
 * NOTE: `endpoint` follows the server's `cluster-preferred-endpoint-type`, as clients must.
 */
const hostOf = (node: Map<string, Reply>, fallback: string): string => {
  const endpoint = node.get('endpoint')
  if (typeof endpoint === 'string' && endpoint !== '' && endpoint !== '?') return endpoint
  const ip = node.get('ip')
  return typeof ip === 'string' && ip !== '' ? ip : fallback
}

const build = (entries: Array<{ ranges: number[]; shard: Shard }>): Topology => {
  const slots = new Int16Array(SLOTS).fill(-1)
  const shards: Shard[] = []
  for (const { ranges, shard } of entries) {
    if (ranges.length === 0) continue
    const index = shards.push(shard) - 1
    for (let i = 0; i + 1 < ranges.length; i += 2) {
      const from = Math.max(0, ranges[i]!)
      const to = Math.min(SLOTS - 1, ranges[i + 1]!)
      slots.fill(index, from, to + 1)
    }
  }
  if (shards.length === 0) throw new ProtocolError('the cluster map is empty: no node serves any slot')
  return { shards, slots }
}

/**
 * Parses a `CLUSTER SHARDS` reply. `seedHost` stands in for nodes that announce no address (a
 * node announces an empty `ip` when it only knows itself via the address we dialled).
 */
export const parseShards = (reply: Reply, seedHost: string, tls = false): Topology => {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SHARDS did not answer with an array')
  const entries: Array<{ ranges: number[]; shard: Shard }> = []
  for (const entry of reply) {
    const shard = fields(entry)
    const slots = shard.get('slots')
    const ranges = Array.isArray(slots) ? slots.map(Number) : []
    let primary: NodeAddress | undefined
    let primaryOnline = false
    const replicas: NodeAddress[] = []
    const nodes = shard.get('nodes')
    for (const raw of Array.isArray(nodes) ? nodes : []) {
      const node = fields(raw)
      const port = Number(tls ? node.get('tls-port') : node.get('port'))
      if (!Number.isInteger(port) || port <= 0) continue
      const where = address(hostOf(node, seedHost), port)
      const online = node.get('health') === 'online'
      if (node.get('role') !== 'master') {
        if (online) replicas.push(where)
      } else if (primary === undefined || (online && !primaryOnline)) {
        // After a failover the shard still lists its dead primary as a master, failed, beside the
        // promoted one, in either order: the online one serves the slots.
        primary = where
        primaryOnline = online
      }
    }
    if (primary) entries.push({ ranges, shard: { primary, replicas } })
  }
  return build(entries)
}

/** Parses a `CLUSTER SLOTS` reply: `[[from, to, [ip, port, id], [replica ip, port, id], ...], ...]`. */
export const parseSlots = (reply: Reply, seedHost: string): Topology => {
  if (!Array.isArray(reply)) throw new ProtocolError('CLUSTER SLOTS did not answer with an array')
  const byPrimary = new Map<string, { ranges: number[]; shard: Shard }>()
  for (const entry of reply) {
    if (!Array.isArray(entry) || entry.length < 3) continue
    const [from, to, ...nodes] = entry
    const toAddress = (node: Reply) => {
      if (!Array.isArray(node)) return undefined
      const host = typeof node[0] === 'string' && node[0] !== '' && node[0] !== '?' ? node[0] : seedHost
      return address(host, Number(node[1]))
    }
    const primary = toAddress(nodes[0]!)
    if (!primary) continue
    const replicas = nodes.slice(1).flatMap((node) => toAddress(node) ?? [])
    const known = byPrimary.get(primary.key) ?? { ranges: [], shard: { primary, replicas } }
    known.ranges.push(Number(from), Number(to))
    byPrimary.set(primary.key, known)
  }
  return build([...byPrimary.values()])
}
