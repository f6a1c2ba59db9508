/**
 * `waitForReplicas`: durable decisions on a replicated Valkey (a primary with replicas, or a
 * Valkey Cluster). Valkey replicates asynchronously: a primary that dies (SIGKILL, a crashed host)
 * loses the increments it acknowledged but had not yet sent to its replica, and the promoted
 * replica lets those calls through again. With this setting every decision leaves as one pipeline
 * `[EVALSHA ..., WAIT count timeout]` to the script's node — still one round trip — and an
 * admission counts only when `count` replicas acknowledged it; otherwise the limiter answers by
 * its `onTimeout` policy (with `'deny'`, a failover then never over-admits).
 *
 * NOTE: WAIT does not make Valkey strongly consistent. It narrows what a failover can lose to
 * writes no replica had acknowledged, and those were never reported as admitted to any caller.
 */
import { scriptSha } from '../client/script.ts'
import type { Arg, Client, Reply, Script } from '../client/types.ts'
import { ProtocolError, ReplyError, TimeoutError } from '../errors.ts'

export interface WaitForReplicas {
  /** Replicas that must acknowledge an admission before it counts (1 or more). */
  count: number
  /** Ms the node waits for them (Valkey's `WAIT` timeout). Default 100; below the limiter's `timeout`. */
  timeout?: number
}

export interface ReplicaWait {
  readonly count: number
  readonly timeout: number
}

/** Checks the option against the client and the limiter's timeout; `undefined` when off. */
export const checkWaitForReplicas = (
  value: WaitForReplicas | undefined,
  client: Client,
  limiterTimeout: number,
): ReplicaWait | undefined => {
  if (value === undefined) return undefined
  const { count, timeout = 100 } = value ?? {}
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new TypeError(
      `createLimiter: waitForReplicas.count must be a whole number of replicas, 1 or more, received ${String(count)}`,
    )
  }
  if (!Number.isSafeInteger(timeout) || timeout < 1 || timeout >= limiterTimeout) {
    throw new TypeError(
      `createLimiter: waitForReplicas.timeout must be a whole number of ms, at least 1 and below the limiter's timeout (${limiterTimeout} ms), received ${String(timeout)}`,
    )
  }
  if (client.kind === 'http') {
    throw new TypeError(
      'createLimiter: waitForReplicas needs a TCP or cluster client: the bridge refuses WAIT (it would stall its shared upstream connection)',
    )
  }
  // The memory backend has no replicas and loses nothing to a failover: there is nothing to wait for.
  return client.kind === 'memory' ? undefined : { count, timeout }
}

export interface Acknowledged {
  readonly reply: Reply
  /** Why the decision is not durable (too few replicas acknowledged, or WAIT failed); unset when it is. */
  readonly shortfall?: Error
}

/** Runs `script` followed by `WAIT` on the same node (EVAL again after NOSCRIPT), in one pipeline. */
export const evalAcknowledged = async (
  client: Client,
  script: Script,
  keys: readonly string[],
  args: readonly Arg[],
  wait: ReplicaWait,
): Promise<Acknowledged> => {
  const sha = script.sha ?? (await scriptSha(script))
  const waitCommand = ['WAIT', wait.count, wait.timeout]
  let [reply, acked] = await client.pipeline([['EVALSHA', sha, keys.length, ...keys, ...args], waitCommand])
  if (reply instanceof ReplyError && reply.code === 'NOSCRIPT') {
    ;[reply, acked] = await client.pipeline([
      ['EVAL', script.lua, keys.length, ...keys, ...args],
      waitCommand,
    ])
  }
  if (reply instanceof Error) throw reply
  if (acked instanceof Error) return { reply: reply as Reply, shortfall: acked }
  if (typeof acked !== 'number') {
    return { reply: reply as Reply, shortfall: new ProtocolError(`WAIT answered ${String(acked)}`) }
  }
  if (acked >= wait.count) return { reply: reply as Reply }
  return {
    reply: reply as Reply,
    shortfall: new TimeoutError(
      `${acked} of ${wait.count} replicas acknowledged the decision within ${wait.timeout} ms`,
    ),
  }
}
