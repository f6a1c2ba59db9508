/**
 * `waitForReplicas(client, { count, timeout })`: a Client whose scripts are durable on a replicated
 * Valkey (a primary with replicas, or a Valkey Cluster). Valkey replicates asynchronously: a
 * primary that dies (SIGKILL, a lost host) loses the writes it answered but had not yet sent to a
 * replica, and the promoted replica hands a limiter's quota out again. Here every `eval` leaves as
 * one pipeline `[EVALSHA ..., WAIT count timeout]` to the script's node (one round trip; on a
 * cluster the WAIT travels with the script) and resolves only once `count` replicas hold the write;
 * otherwise it rejects with `UnacknowledgedError`, which carries the script's reply. A limiter
 * answers that by its `onTimeout` policy, except that a denial stands (it consumed nothing).
 *
 * NOTE: WAIT does not make Valkey strongly consistent. It narrows what a failover can lose to
 * writes no replica had acknowledged, and those were never confirmed to any caller. Kept out of
 * `createLimiter`'s own options so that code which never uses it (a Worker over the bridge, which
 * refuses WAIT) does not ship it.
 */
import { ReplyError, TimeoutError } from '../errors.ts'
import { runScript } from './script.ts'
import type { Client, Reply } from './types.ts'

/** A script ran, but fewer replicas than asked acknowledged its writes: `reply` is what it returned. */
export class UnacknowledgedError extends TimeoutError {
  override name = 'UnacknowledgedError'
  readonly reply: Reply
  constructor(message: string, reply: Reply) {
    super(message)
    this.reply = reply
  }
}

/**
 * Wraps a TCP or cluster client so each script waits for `count` replicas (`timeout` ms, default 100).
 *
 * @example
 * const limiter = createLimiter({
 *   client: waitForReplicas(createClusterClient({ url, connect }), { count: 1 }),
 *   limits: fixedWindow(5, '1 m'),
 *   onTimeout: 'deny', // an admission no replica holds is denied: a failover never over-admits
 * })
 */
export const waitForReplicas = (client: Client, options: { count: number; timeout?: number }): Client => {
  const { count, timeout = 100 } = options ?? {}
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(timeout) || timeout < 1) {
    throw new TypeError(
      `waitForReplicas: count must be a whole number of replicas (1 or more) and timeout whole ms (1 or more), received ${JSON.stringify(options)}`,
    )
  }
  if (client?.kind !== 'tcp' && client?.kind !== 'cluster') {
    throw new TypeError(
      `waitForReplicas needs a TCP or cluster client, received ${String(client?.kind)}: the bridge refuses WAIT (it would stall its shared upstream connection), and memory has no replicas`,
    )
  }
  const wait = ['WAIT', count, timeout]
  return {
    kind: client.kind,
    send: (command, sendOptions) => client.send(command, sendOptions),
    pipeline: (commands, sendOptions) => client.pipeline(commands, sendOptions),
    close: () => client.close(),
    eval: async (script, keys, args, sendOptions) => {
      let acked = null as Reply | ReplyError
      const reply = await runScript(
        async (command) => {
          const [result, count] = await client.pipeline([command, wait], sendOptions)
          if (result instanceof ReplyError) throw result
          acked = count as Reply | ReplyError
          return result as Reply
        },
        script,
        keys,
        args,
      )
      if (typeof acked === 'number' && acked >= count) return reply
      const why =
        acked instanceof ReplyError ? acked.message : `${String(acked)} of ${count} replicas acknowledged`
      throw new UnacknowledgedError(`${script.name}: ${why} within ${timeout} ms`, reply)
    },
  }
}
