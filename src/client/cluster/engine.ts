/**
 * The cluster `Client`: routes each command to the node serving its slot and follows the cluster
 * through change. MOVED patches the map and retries on the new owner; ASK retries once behind
 * `ASKING` on the importing node; TRYAGAIN, CLUSTERDOWN, LOADING, a demoted primary's READONLY and a
 * lost connection re-read the map and retry with backoff for up to `retryFor` ms.
 */
import { ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import { delay } from '../deadlines.ts'
import { runScript } from '../script.ts'
import type { Client, Command, Reply, SendOptions } from '../types.ts'
import { broadcast, isBroadcast } from './broadcast.ts'
import { commandName } from './keys.ts'
import { ClusterNodes, type NodeFactory } from './nodes.ts'
import { pipelineAcross } from './pipeline.ts'
import { backoff, redirection, retryable, type Target } from './retry.ts'
import { type Route, Router } from './route.ts'
import { StallWatch } from './stall-watch.ts'
import { openClusterSubscriber } from './subscriber.ts'
import type { NodeAddress } from './topology.ts'

export interface ClusterEngineOptions {
  seeds: readonly NodeAddress[]
  /** Builds the pipelined connection to one node (a TCP client in practice). */
  factory: NodeFactory
  /** `'replica'` sends read-only commands to a replica of the slot's shard (reads may lag). */
  readFrom?: 'primary' | 'replica'
  /** How many MOVED/ASK redirections one command may follow. Default 16. */
  maxRedirections?: number
  /** How long a command keeps retrying through a failover or a down cluster (ms). Default 3000. */
  retryFor?: number
  /** Minimum time between two reads of the cluster map (ms). Default 100. */
  refreshInterval?: number
  /** How long one node may take to answer `CLUSTER SHARDS` (ms). Default 1000. */
  refreshTimeout?: number
  /** How long opening a node connection may take (ms): the first map read gets it on top. Default 0. */
  connectTimeout?: number
  /** Connect to the nodes' TLS ports (`tls-port` in `CLUSTER SHARDS`). */
  tls?: boolean
  /**
   * A primary that has answered nothing for this long while commands wait on it makes the client
   * re-read the map; once another node serves its slots, its connection is abandoned and the
   * waiting commands fail at once (stall-watch.ts). Default 250 ms; 0 turns this off.
   */
  stallAfter?: number
}

/**
 * A `Client` over a Valkey Cluster, given seed addresses and a node factory.
 *
 * @example
 * const client = clusterClient({
 *   seeds: [parseHostPort('10.0.0.1:7000')],
 *   factory: (node) => createTcpClient({ host: node.host, port: node.port, connect }),
 * })
 */
export const clusterClient = (options: ClusterEngineOptions): Client => {
  const { readFrom = 'primary', maxRedirections = 16, retryFor = 3000 } = options
  if (readFrom !== 'primary' && readFrom !== 'replica') {
    throw new TypeError(`readFrom must be 'primary' or 'replica', received ${String(readFrom)}`)
  }
  for (const name of [
    'maxRedirections',
    'retryFor',
    'refreshInterval',
    'refreshTimeout',
    'stallAfter',
  ] as const) {
    const value = options[name]
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new TypeError(
        `${name} must be a whole number of ${name === 'maxRedirections' ? 'hops' : 'ms'} (0 or more), received ${String(value)}`,
      )
    }
  }
  const nodes = new ClusterNodes({
    seeds: options.seeds,
    factory: options.factory,
    refreshInterval: options.refreshInterval ?? 100,
    refreshTimeout: options.refreshTimeout ?? 1000,
    connectTimeout: options.connectTimeout ?? 0,
    tls: options.tls ?? false,
  })
  const router = new Router((command) => execute(command, { slot: undefined, readonly: true }))
  const stallAfter = options.stallAfter ?? 250
  const stalls = stallAfter > 0 ? new StallWatch(nodes, stallAfter) : undefined

  const pick = (route: Route): Target => {
    if (route.slot === undefined) return { node: nodes.anyPrimary(), readonly: false }
    const shard = nodes.shardOf(route.slot)
    if (!shard)
      throw new ReplyError(`CLUSTERDOWN Hash slot ${route.slot} is not served by any node right now`)
    if (readFrom === 'replica' && route.readonly && shard.replicas.length > 0) {
      return { node: shard.replicas[Math.floor(Math.random() * shard.replicas.length)]!, readonly: true }
    }
    return { node: shard.primary, readonly: false }
  }

  /**
   * Runs one routed command to completion, following redirections and riding out failovers.
   * `prior` is a first attempt made elsewhere (a pipeline's share) and the error it got.
   */
  const execute = async (
    command: Command,
    route: Route,
    sendOptions?: SendOptions,
    prior?: { target: Target; error: unknown },
  ): Promise<Reply> => {
    const deadline = Date.now() + (sendOptions?.timeout ?? retryFor)
    let target = prior?.target
    let failure = prior ? { error: prior.error } : undefined
    let asking = false
    let redirections = 0
    for (let attempt = 0; ; attempt++) {
      if (failure) {
        const { error } = failure
        failure = undefined
        const redirect = target && redirection(error, target.node)
        if (redirect) {
          if (++redirections > maxRedirections) throw error
          if (!redirect.ask) nodes.moved(redirect.slot, redirect.node)
          target = { node: redirect.node, readonly: false }
          asking = redirect.ask
        } else {
          const pause = backoff(attempt)
          const late = Date.now() + pause > deadline || sendOptions?.signal?.aborted || nodes.closed
          if (!retryable(error, route.readonly) || late) {
            // A node that dropped or stalled a command it may have run: the command fails, but the
            // map is read again, so the next ones go where the slot lives now (a primary cut off
            // by a partition never resets its connections; its promoted replica must be found).
            if (error instanceof TransportError || error instanceof TimeoutError)
              void nodes.refresh().catch(() => {})
            throw error
          }
          await delay(pause)
          if (!(error instanceof ReplyError) || error.code !== 'TRYAGAIN')
            await nodes.refresh().catch(() => {})
          target = undefined
        }
      }
      try {
        target ??= pick(route)
        const client = nodes.client(target.node, target.readonly)
        const remaining = Math.max(1, deadline - Date.now())
        const attemptOptions =
          sendOptions?.timeout === undefined ? sendOptions : { ...sendOptions, timeout: remaining }
        if (!asking) return await client.send(command, attemptOptions)
        asking = false
        const [, reply] = await client.pipeline([['ASKING'], command], attemptOptions)
        if (reply instanceof ReplyError) throw reply
        return reply as Reply
      } catch (error) {
        failure = { error }
      }
    }
  }

  const send = async (command: Command, sendOptions?: SendOptions): Promise<Reply> => {
    stalls?.start()
    const loading = nodes.ready()
    if (loading) await loading
    const name = commandName(command)
    if (isBroadcast(command, name)) return broadcast(command, nodes, sendOptions)
    const route = router.route(command, name)
    return execute(command, route instanceof Promise ? await route : route, sendOptions)
  }

  return {
    kind: 'cluster',
    send,
    pipeline: async (commands, sendOptions) => {
      stalls?.start()
      await nodes.ready()
      return pipelineAcross(commands, { nodes, router, pick, execute, send, retryFor }, sendOptions)
    },
    eval: (script, keys, args, sendOptions) => runScript(send, script, keys, args, sendOptions),
    openSubscriber: (handlers, subscriberOptions) =>
      openClusterSubscriber(nodes, handlers, subscriberOptions),
    close: () => {
      stalls?.stop()
      return nodes.close()
    },
  }
}
