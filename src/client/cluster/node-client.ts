/**
 * One node's connection for the cluster client: the TCP client, with its `Connect` watched so the
 * cluster client can tell a command that never reached the wire (no socket was open when it was
 * issued, and none opened before it failed) from one lost in flight. Only the first kind is safe to
 * send again to another node after a failover; see `retryable`.
 */
import { TransportError } from '../../errors.ts'
import { createTcpClient, type TcpClientOptions } from '../tcp/client.ts'
import type { Connect } from '../tcp/socket.ts'
import type { Client, Command, Reply, SendOptions } from '../types.ts'
import { markUnsent } from './retry.ts'
import type { NodeAddress } from './topology.ts'

/** A `Connect` that counts open sockets and how many were ever opened. */
const watch = (connect: Connect) => {
  const state = { open: 0, opened: 0 }
  const watched: Connect = async (options, handlers) => {
    const socket = await connect(options, {
      onData: handlers.onData,
      onClose: (error) => {
        state.open--
        handlers.onClose(error)
      },
    })
    state.open++
    state.opened++
    return socket
  }
  return { state, watched }
}

/** Runs `run`; a `TransportError` is marked unsent when no socket was open or opened meanwhile. */
const guarded = <T>(state: { open: number; opened: number }, run: () => Promise<T>): Promise<T> => {
  const wasOpen = state.open > 0
  const opened = state.opened
  return run().catch((error: unknown) => {
    if (error instanceof TransportError && !wasOpen && state.opened === opened) markUnsent(error)
    throw error
  })
}

/** The TCP client for `node`, built from the cluster client's TCP options. */
export const nodeClient = (node: NodeAddress, options: TcpClientOptions): Client => {
  const { state, watched } = watch(options.connect)
  const inner = createTcpClient({
    ...options,
    url: undefined,
    host: node.host,
    port: node.port,
    connect: watched,
  })
  return {
    kind: 'tcp',
    send: (command: Command, sendOptions?: SendOptions): Promise<Reply> =>
      guarded(state, () => inner.send(command, sendOptions)),
    pipeline: (commands, sendOptions) => guarded(state, () => inner.pipeline(commands, sendOptions)),
    eval: (script, keys, args, sendOptions) =>
      guarded(state, () => inner.eval(script, keys, args, sendOptions)),
    close: () => inner.close(),
  }
}
