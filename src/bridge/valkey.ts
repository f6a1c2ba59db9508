/**
 * The bridge's upstream on Valkey: one pipelined TCP client (the SDK's own, flushing on
 * `setImmediate` so the commands of every request parsed in one event-loop turn leave in one
 * write) for commands, or the cluster client (one such connection per node) in front of a Valkey
 * Cluster, and a dedicated connection per subscribe stream.
 */

import { createClusterClient } from '../client/cluster/client.ts'
import { hasSeveralHosts, parseSeedUrl } from '../client/cluster/seeds.ts'
import { createTcpClient } from '../client/tcp/client.ts'
import type { Connect } from '../client/tcp/socket.ts'
import { parseTcpUrl, type TcpEndpoint } from '../client/tcp/url.ts'
import type { SendOptions } from '../client/types.ts'
import { TransportError } from '../errors.ts'
import { createBatcher } from './batch.ts'
import { openSubscriber } from './subscriber.ts'
import type { Subscription, Upstream, UpstreamOptions } from './upstream.ts'

export interface ValkeyUpstreamOptions {
  /** `redis://[user:pass@]host:port[/db]`, `rediss://` for TLS; a cluster's seeds as `redis://h1:p1,h2:p2`. */
  url: string
  /** The upstream is a Valkey Cluster (implied by a URL with several seeds). */
  cluster?: boolean
  /** The runtime's socket: `connect` from `floodgate/node` (or deno, cloudflare). */
  connect: Connect
  /** Milliseconds to open a connection (default 2000). */
  connectTimeout?: number
  /**
   * The usual per-request timeout, ms (default 5000): requests carrying exactly this one share
   * the client's timeout sweep instead of a timer each.
   */
  commandTimeout?: number
  /**
   * When queued commands are written. The default (batch.ts) writes on `setImmediate` (a 0 ms
   * timer where it does not exist), and while earlier commands are unanswered, after their
   * replies: one write carries many requests' commands.
   */
  schedule?: (flush: () => void) => void
}

const immediate: (flush: () => void) => void =
  (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => void setTimeout(f, 0))

/**
 * Builds the upstream. Nothing connects until the first command.
 *
 * @example
 * import { connect } from 'floodgate/node'
 * const upstream = connectUpstream({ url: 'redis://127.0.0.1:6379', connect })
 */
export const connectUpstream = (options: ValkeyUpstreamOptions): Upstream => {
  const cluster = options.cluster === true || hasSeveralHosts(options.url)
  const seeds = cluster ? parseSeedUrl(options.url) : undefined
  // Classic pub/sub is cluster-wide: a subscriber on any node hears every PUBLISH, so a stream
  // goes to the first seed that answers.
  const endpoints = seeds
    ? seeds.seeds.map((seed) => parseTcpUrl(seeds.urlFor(seed)))
    : [parseTcpUrl(options.url)]
  const connectTimeout = options.connectTimeout ?? 2000
  const commandTimeout = options.commandTimeout ?? 5000
  const batcher = createBatcher(immediate)
  const common = {
    connect: options.connect,
    connectTimeout,
    commandTimeout,
    schedule: options.schedule ?? batcher.schedule,
  }
  const client = cluster
    ? createClusterClient({ ...common, url: options.url })
    : createTcpClient({
        ...common,
        url: options.url,
        // A reconnect is tried twice, then the request gets a 503 at once instead of waiting out
        // its timeout (the next request tries again).
        reconnect: { attempts: 2, minDelay: 50, maxDelay: 200 },
      })
  const subscriptions = new Set<Subscription>()
  const BYTES = { bytes: true }
  const shared = (opts: UpstreamOptions): SendOptions | undefined =>
    opts.timeout === commandTimeout ? (opts.bytes ? BYTES : undefined) : opts
  return {
    send: (command, opts) => batcher.track(1, client.send(command, shared(opts))),
    pipeline: (commands, opts) => batcher.track(commands.length, client.pipeline(commands, shared(opts))),
    async subscribe(kind, channel, handlers) {
      const open = (endpoint: TcpEndpoint) =>
        openSubscriber({ endpoint, connect: options.connect, timeout: connectTimeout }, kind, channel, {
          onFrame: handlers.onFrame,
          onEnd(error) {
            subscriptions.delete(tracked)
            handlers.onEnd(error)
          },
        })
      let subscription: Subscription | undefined
      for (const [i, endpoint] of endpoints.entries()) {
        try {
          subscription = await open(endpoint)
          break
        } catch (error) {
          if (!(error instanceof TransportError) || i === endpoints.length - 1) throw error
        }
      }
      const tracked: Subscription = {
        close() {
          subscriptions.delete(tracked)
          subscription!.close()
        },
        pause: () => subscription!.pause?.(),
        resume: () => subscription!.resume?.(),
      }
      subscriptions.add(tracked)
      return tracked
    },
    async close() {
      for (const subscription of [...subscriptions]) subscription.close()
      await client.close()
    },
  }
}
