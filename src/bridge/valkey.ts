/**
 * The bridge's upstream on Valkey: per token class, one pipelined TCP client (the SDK's own,
 * flushing on `setImmediate` so the commands of every request parsed in one event-loop turn leave
 * in one write) authenticated as that class's ACL user, or the cluster client (one such
 * connection per node) in front of a Valkey Cluster; a dedicated connection per subscribe stream;
 * and an admin connection per node (the upstream URL's user) that checks readiness and ends a
 * script holding Valkey past the request timeout (script-watchdog.ts). Behind Sentinel, each of
 * these follows the primary the Sentinels name (client/tcp/sentinel/).
 */

import { createClusterClient } from '../client/cluster/client.ts'
import { hasSeveralHosts, parseHostPort, parseSeedUrl } from '../client/cluster/seeds.ts'
import { createTcpClient } from '../client/tcp/client.ts'
import { createSentinelClient, type SentinelClient } from '../client/tcp/sentinel/client.ts'
import { isSentinelUrl, parseSentinelUrl } from '../client/tcp/sentinel/url.ts'
import type { Connect } from '../client/tcp/socket.ts'
import { parseTcpUrl, type TcpEndpoint } from '../client/tcp/url.ts'
import type { Client, SendOptions } from '../client/types.ts'
import { TimeoutError, TransportError } from '../errors.ts'
import type { AccessClass } from './acl-rules.ts'
import { createBatcher } from './batch.ts'
import { type Logger, silentLogger } from './log.ts'
import { createScriptWatchdog } from './script-watchdog.ts'
import { openSubscriber } from './subscriber.ts'
import type { Subscription, Upstream, UpstreamCheck, UpstreamOptions } from './upstream.ts'
import { describeFailure } from './upstream-state.ts'

export interface ValkeyUpstreamOptions {
  /**
   * `redis://[user:pass@]host:port[/db]`, `rediss://` for TLS; a cluster's seeds as
   * `redis://h1:p1,h2:p2`; a Sentinel-managed primary as `redis+sentinel://h1:26379,h2:26379/mymaster`.
   */
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
  /**
   * The ACL user each token class runs as (acl-users.ts sets them up). Without them every
   * command runs as the URL's user, and scripts escape the command policy.
   */
  users?: Partial<Record<AccessClass, { username: string; password: string }>>
  /** Every node's `host:port` on a cluster (default: the seeds), for the admin connections. */
  nodes?: readonly string[]
  logger?: Logger
  /**
   * A token class's user was refused (WRONGPASS: e.g. Valkey restarted without its ACL users);
   * resolves true when the users were set up again and the command may be retried.
   */
  onAuthFailure?: () => Promise<boolean>
}

const missing = (access: AccessClass): never => {
  throw new TypeError(
    `connectUpstream: no Valkey user for ${access} tokens; pass users.${access === 'full' ? 'full' : "'read-only'"} (prepareAclUsers sets one up for every token class in use)`,
  )
}

const immediate: (flush: () => void) => void =
  (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => void setTimeout(f, 0))

/**
 * Builds the upstream. The admin connections open at once; the others on their first command.
 *
 * @example
 * import { connect } from 'floodgate/node'
 * const upstream = connectUpstream({ url: 'redis://127.0.0.1:6379', connect })
 */
export const connectUpstream = (options: ValkeyUpstreamOptions): Upstream => {
  const sentinel = isSentinelUrl(options.url) ? parseSentinelUrl(options.url) : undefined
  const cluster = !sentinel && (options.cluster === true || hasSeveralHosts(options.url))
  const seeds = cluster ? parseSeedUrl(options.url) : undefined
  // Classic pub/sub is cluster-wide: a subscriber on any node hears every PUBLISH, so a stream
  // goes to the first seed that answers. Behind Sentinel it goes to the current primary.
  const endpoints = sentinel
    ? []
    : seeds
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
  const build = (user?: { username: string; password: string }): Client => {
    const credentials = user ? { username: user.username, password: user.password } : {}
    if (sentinel) {
      const reconnect = { attempts: 2, minDelay: 50, maxDelay: 200 }
      return createSentinelClient({ ...common, ...credentials, url: options.url, reconnect })
    }
    return cluster
      ? createClusterClient({ ...common, ...credentials, url: options.url })
      : createTcpClient({
          ...common,
          ...credentials,
          url: options.url,
          // A reconnect is tried twice, then the request gets a 503 at once instead of waiting out
          // its timeout (the next request tries again).
          reconnect: { attempts: 2, minDelay: 50, maxDelay: 200 },
        })
  }
  const log = options.logger ?? silentLogger
  const classes = new Map<AccessClass, { client: Client; label: string }>()
  for (const access of ['full', 'read-only'] as const) {
    const user = options.users?.[access]
    if (user) classes.set(access, { client: build(user), label: `Valkey user ${user.username}` })
  }
  // Without ACL users (an embedded bridge that did not set them up) everything runs as the URL's user.
  const fallback = classes.size === 0 ? build() : undefined
  const label = (endpoint: { username?: string }) => `Valkey user ${endpoint.username ?? 'default'}`
  const urlUser = sentinel ?? endpoints[0]!
  // One admin connection per node: a script blocks one node, and only that node can end it.
  const adminUrls = seeds
    ? (options.nodes?.map(parseHostPort) ?? seeds.seeds).map((node) => seeds.urlFor(node))
    : [options.url]
  const sentinelAdmin: SentinelClient | undefined = sentinel
    ? createSentinelClient({
        connect: options.connect,
        url: options.url,
        connectTimeout,
        commandTimeout: 0,
        reconnect: { attempts: 1 },
      })
    : undefined
  const admins = sentinelAdmin
    ? [
        {
          address: `the primary of ${sentinel!.name}`,
          label: label(sentinel!),
          client: sentinelAdmin as Client,
        },
      ]
    : adminUrls.map((url) => {
        const endpoint = parseTcpUrl(url)
        return {
          address: `${endpoint.host}:${endpoint.port}`,
          label: label(endpoint),
          client: createTcpClient({
            connect: options.connect,
            url,
            connectTimeout,
            commandTimeout: 0,
            reconnect: { attempts: 1 },
          }),
        }
      })
  // Connected now, not when a script already holds the node: a busy Valkey accepts and
  // authenticates a new connection only between slices of the script.
  for (const admin of admins) admin.client.send(['PING']).catch(() => {})
  const watchdog = createScriptWatchdog(admins, log)
  const pick = (readOnly: boolean | undefined) =>
    classes.get(readOnly ? 'read-only' : 'full') ??
    (fallback ? { client: fallback, label: label(urlUser) } : missing(readOnly ? 'read-only' : 'full'))
  /**
   * Names the user in a connection failure and ends a script that outlived the timeout. A
   * refused login (the connection setup failed, so the command never left) is retried once
   * after `onAuthFailure` has set the users up again.
   */
  const watch = <T>(who: string, run: () => Promise<T>, retry = true): Promise<T> =>
    run().catch(async (error: unknown) => {
      if (error instanceof TimeoutError) watchdog.kill()
      if (!(error instanceof TransportError)) throw error
      if (retry && describeFailure(error).kind === 'auth' && (await options.onAuthFailure?.())) {
        return watch(who, run, false)
      }
      throw new TransportError(`${error.message} (${who})`, { cause: error })
    })
  const subscriptions = new Set<Subscription>()
  const BYTES = { bytes: true }
  const shared = (opts: UpstreamOptions): SendOptions | undefined =>
    opts.timeout === commandTimeout ? (opts.bytes ? BYTES : undefined) : opts
  const ping = async (who: string, client: Client): Promise<UpstreamCheck | undefined> => {
    try {
      await client.send(['PING'], { timeout: Math.min(commandTimeout, 2000) })
      return undefined
    } catch (error) {
      return { who, error }
    }
  }
  return {
    send(command, opts) {
      const { client, label } = pick(opts.readOnly)
      return watch(label, () => batcher.track(1, client.send(command, shared(opts))))
    },
    pipeline(commands, opts) {
      const { client, label } = pick(opts.readOnly)
      return watch(label, () => batcher.track(commands.length, client.pipeline(commands, shared(opts))))
    },
    async check() {
      const checks = [
        ...admins.map((a) => ping(`${a.label} at ${a.address}`, a.client)),
        ...[...classes.values()].map((c) => ping(c.label, c.client)),
        ...(fallback ? [ping(label(urlUser), fallback)] : []),
      ]
      return (await Promise.all(checks)).filter((c): c is UpstreamCheck => c !== undefined)
    },
    async subscribe(kind, channel, handlers) {
      const open = (endpoint: TcpEndpoint) =>
        openSubscriber({ endpoint, connect: options.connect, timeout: connectTimeout }, kind, channel, {
          onFrame: handlers.onFrame,
          onMessage: handlers.onMessage,
          onEnd(error) {
            subscriptions.delete(tracked)
            handlers.onEnd(error)
          },
        })
      let subscription: Subscription | undefined
      const targets = sentinelAdmin ? [await sentinelAdmin.endpoint()] : endpoints
      for (const [i, endpoint] of targets.entries()) {
        try {
          subscription = await open(endpoint)
          break
        } catch (error) {
          if (!(error instanceof TransportError) || i === targets.length - 1) throw error
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
      await Promise.all([
        ...[...classes.values()].map((c) => c.client.close()),
        ...admins.map((a) => a.client.close()),
        fallback?.close(),
      ])
    },
  }
}
