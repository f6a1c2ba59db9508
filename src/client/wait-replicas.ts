/**
 * `waitForReplicas(client, { count, timeout })`: a Client whose scripts are durable on a replicated
 * Valkey (a primary with replicas, or a Valkey Cluster). Valkey replicates asynchronously: a
 * primary that dies (SIGKILL, a lost host) loses the writes it answered but had not yet sent to a
 * replica, and the promoted replica hands a limiter's quota out again. Here every `eval` is
 * followed by `WAIT count timeout` in the same pipeline (one round trip) and resolves only once
 * `count` replicas hold the write; otherwise it rejects with `UnacknowledgedError`, which carries
 * the script's reply. A limiter answers that by its `onTimeout` policy, except that a denial stands
 * (it consumed nothing).
 *
 * One WAIT for the scripts issued together, not one per script. WAIT counts the replicas that hold
 * every write its connection made before it, and Valkey answers nothing else on that connection
 * until it returns, so a WAIT per script would queue concurrent decisions behind one
 * acknowledgement each (bench/durable, 50 in flight: 0.18–0.30× the decisions/s without
 * waitForReplicas; 0.65–0.88× with one WAIT shared). Over a TCP client, the scripts issued before
 * the microtask queue next drains leave as one pipeline ending in a single WAIT, whose answer
 * speaks for all of them. On a cluster each script keeps a WAIT of its own that travels with it to
 * its node (and is re-sent with it on a redirection).
 *
 * NOTE: WAIT does not make Valkey strongly consistent. It narrows what a failover can lose to
 * writes no replica had acknowledged, and those were never confirmed to any caller. Kept out of
 * `createLimiter`'s own options so that code which never uses it (a Worker over the bridge, which
 * refuses WAIT) does not ship it.
 */
import { ReplyError, TimeoutError } from '../errors.ts'
import { runScript } from './script.ts'
import type { Client, Command, Reply } from './types.ts'

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
  const together = client.kind === 'tcp' ? oneWaitPerTurn(client, wait) : undefined
  return {
    kind: client.kind,
    send: (command, sendOptions) => client.send(command, sendOptions),
    pipeline: (commands, sendOptions) => client.pipeline(commands, sendOptions),
    close: () => client.close(),
    eval: async (script, keys, args, sendOptions) => {
      let acked = null as Reply | ReplyError
      const reply = await runScript(
        async (command) => {
          const [result, count] =
            together !== undefined && sendOptions === undefined
              ? await together(command)
              : await client.pipeline([command, wait], sendOptions)
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

type Acknowledged = readonly [reply: Reply | ReplyError, acked: Reply | ReplyError]

interface Queued {
  command: Command
  resolve: (replies: Acknowledged) => void
  reject: (error: unknown) => void
}

/**
 * Sends each command with the others issued before the next microtask checkpoint, as one pipeline
 * ending in one `wait`, and answers each with its own reply and the WAIT's. Decisions resumed by
 * the same batch of replies run the same number of microtask steps, so they meet in one pipeline;
 * and it is queued on the TCP client before its scheduled write, so no event-loop turn is added.
 */
const oneWaitPerTurn = (client: Client, wait: Command) => {
  let queue: Queued[] = []
  const flush = () => {
    const batch = queue
    queue = []
    let sent: Promise<Array<Reply | ReplyError>>
    try {
      sent = client.pipeline([...batch.map((queued) => queued.command), wait])
    } catch (error) {
      sent = Promise.reject(error)
    }
    sent.then(
      (replies) => {
        const acked = replies[batch.length]!
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve([replies[i]!, acked])
      },
      (error) => {
        for (const queued of batch) queued.reject(error)
      },
    )
  }
  return (command: Command): Promise<Acknowledged> =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) queueMicrotask(flush)
      queue.push({ command, resolve, reject })
    })
}
