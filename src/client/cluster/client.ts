/**
 * The Valkey Cluster transport: `createClusterClient` gives the same `Client` as the TCP transport,
 * over a cluster. It reads the slot map from any seed, keeps one pipelined TCP connection per node
 * (over the same `Connect` as the TCP client, so Node, Workers and Deno all have it), and follows
 * the cluster through resharding and failover. The parts live in `./cluster/`.
 */
import { ConfigError } from '../../errors.ts'
import type { TcpClientOptions } from '../tcp/options.ts'
import { parseTcpUrl } from '../tcp/url.ts'
import type { Client } from '../types.ts'
import { type ClusterEngineOptions, clusterClient } from './engine.ts'
import { nodeClient } from './node-client.ts'
import { parseHostPort, parseSeedUrl } from './seeds.ts'

export { keySlot } from './slot.ts'

export interface ClusterClientOptions
  extends Omit<TcpClientOptions, 'url' | 'host' | 'port' | 'db'>,
    Omit<ClusterEngineOptions, 'seeds' | 'factory' | 'connectTimeout'> {
  /**
   * Seed nodes as one URL, `redis://user:pass@10.0.0.1:7000,10.0.0.2:7000` (`rediss://` for TLS).
   * Any one reachable seed is enough; list several so startup survives a node being down.
   */
  url?: string
  /** Seed nodes as `host:port` strings; credentials and TLS then come from the other options. */
  nodes?: readonly string[]
}

/**
 * A `Client` over a Valkey Cluster.
 *
 * @example
 * import { createClusterClient } from 'floodgate'
 * import { connect } from 'floodgate/node'
 *
 * const client = createClusterClient({ url: 'redis://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000', connect })
 * await client.send(['SET', '{user:42}:name', 'Ada'])
 * await client.pipeline([['INCR', '{user:42}:visits'], ['INCR', '{user:7}:visits']]) // split by node
 */
export const createClusterClient = (options: ClusterClientOptions): Client => {
  const {
    url,
    nodes,
    readFrom,
    maxRedirections,
    retryFor,
    refreshInterval,
    refreshTimeout,
    stallAfter,
    ...tcp
  } = options
  if (url === undefined && (nodes === undefined || nodes.length === 0)) {
    throw new TypeError(
      "createClusterClient needs seed nodes: url: 'redis://10.0.0.1:7000,10.0.0.2:7000' or nodes: ['10.0.0.1:7000']",
    )
  }
  if (nodes !== undefined && !Array.isArray(nodes)) {
    throw new TypeError(`nodes must be an array of 'host:port' strings, received ${typeof nodes}`)
  }
  const seeds = [...(nodes ?? []).map(parseHostPort)]
  const fromUrl: Partial<TcpClientOptions> = {}
  if (url !== undefined) {
    const parsed = parseSeedUrl(url)
    const endpoint = parseTcpUrl(parsed.urlFor(parsed.seeds[0]!))
    if (endpoint.db !== undefined && endpoint.db !== 0) {
      throw new ConfigError('a Valkey Cluster has only database 0: drop the /db from the cluster URL')
    }
    seeds.unshift(...parsed.seeds)
    fromUrl.tls = endpoint.tls
    if (endpoint.username !== undefined) fromUrl.username = endpoint.username
    if (endpoint.password !== undefined) fromUrl.password = endpoint.password
  }
  // NOTE: a node that refuses connections fails its commands at once (one attempt) instead of the
  // TCP client's patient reconnect: the cluster client re-reads the map and goes to the new owner.
  const tcpOptions: TcpClientOptions = {
    connectTimeout: 2000,
    reconnect: { attempts: 1 },
    ...fromUrl,
    ...tcp,
  }
  const engine: ClusterEngineOptions = {
    seeds,
    factory: (node) => nodeClient(node, tcpOptions),
    tls: tcpOptions.tls === true,
    connectTimeout: tcpOptions.connectTimeout ?? 5000,
  }
  if (readFrom !== undefined) engine.readFrom = readFrom
  if (maxRedirections !== undefined) engine.maxRedirections = maxRedirections
  if (retryFor !== undefined) engine.retryFor = retryFor
  if (refreshInterval !== undefined) engine.refreshInterval = refreshInterval
  if (refreshTimeout !== undefined) engine.refreshTimeout = refreshTimeout
  if (stallAfter !== undefined) engine.stallAfter = stallAfter
  return clusterClient(engine)
}
