/**
 * One node's connection for the cluster client: the TCP client, with its `Connect` watched so the
 * cluster client can tell a command that never reached the wire (no socket was open when it was
 * issued, and none opened before it failed) from one lost in flight. Only the first kind is safe to
 * send again to another node after a failover; see `retryable`.
 */
import { TransportError } from '../../errors.ts'
import { createTcpClient, type TcpClientOptions } from '../tcp/client.ts'
import type { Connect, Socket, SocketHandlers } from '../tcp/socket.ts'
import type { Client, Command, Reply, SendOptions } from '../types.ts'
import { markUnsent } from './retry.ts'
import type { NodeAddress } from './topology.ts'

/** A node connection's traffic, read by the stall watch (stall-watch.ts). */
export interface NodeLoad {
  /** Commands sent and not settled yet. */
  outstanding: number
  /** Commands settled so far (answered, or failed). */
  settled: number
}

/** The cluster's connection to one node. */
export interface NodeClient extends Client {
  readonly load: NodeLoad
  /**
   * Gives up on the node's open connection as if it had broken: what is in flight fails at once
   * with a `TransportError` (it may or may not have run). For a node that stopped answering
   * without closing its connection.
   */
  abandon(reason: string): void
}

interface SocketState {
  open: number
  opened: number
  live: Set<{ socket: Socket; handlers: SocketHandlers }>
}

/** A `Connect` that counts open sockets and how many were ever opened, and keeps the open ones. */
const watch = (connect: Connect) => {
  const state: SocketState = { open: 0, opened: 0, live: new Set() }
  const watched: Connect = async (options, handlers) => {
    let entry: { socket: Socket; handlers: SocketHandlers } | undefined
    const socket = await connect(options, {
      onData: handlers.onData,
      onClose: (error) => {
        if (entry) state.live.delete(entry)
        state.open--
        handlers.onClose(error)
      },
    })
    entry = { socket, handlers }
    state.live.add(entry)
    state.open++
    state.opened++
    return socket
  }
  return { state, watched }
}

/**
 * Runs `run`, counting it in `load`; a `TransportError` is marked unsent when no socket was open
 * or opened meanwhile. One promise per command, as a bare `catch` would take.
 */
const guarded = <T>(state: SocketState, load: NodeLoad, run: () => Promise<T>): Promise<T> => {
  const wasOpen = state.open > 0
  const opened = state.opened
  load.outstanding++
  return run().then(
    (value) => {
      load.outstanding--
      load.settled++
      return value
    },
    (error: unknown) => {
      load.outstanding--
      load.settled++
      if (error instanceof TransportError && !wasOpen && state.opened === opened) markUnsent(error)
      throw error
    },
  )
}

/** The TCP client for `node`, built from the cluster client's TCP options. */
export const nodeClient = (node: NodeAddress, options: TcpClientOptions): NodeClient => {
  const { state, watched } = watch(options.connect)
  const inner = createTcpClient({
    ...options,
    url: undefined,
    host: node.host,
    port: node.port,
    connect: watched,
  })
  const load: NodeLoad = { outstanding: 0, settled: 0 }
  return {
    kind: 'tcp',
    load,
    send: (command: Command, sendOptions?: SendOptions): Promise<Reply> =>
      guarded(state, load, () => inner.send(command, sendOptions)),
    pipeline: (commands, sendOptions) => guarded(state, load, () => inner.pipeline(commands, sendOptions)),
    eval: (script, keys, args, sendOptions) =>
      guarded(state, load, () => inner.eval(script, keys, args, sendOptions)),
    openSubscriber: (handlers, subscriberOptions) => inner.openSubscriber!(handlers, subscriberOptions),
    close: () => inner.close(),
    abandon(reason) {
      for (const entry of [...state.live]) {
        // The TCP client fails what it sent on that socket and forgets it; closing it after that
        // only releases the file descriptor.
        entry.handlers.onClose(new Error(reason))
        entry.socket.close()
      }
    },
  }
}
