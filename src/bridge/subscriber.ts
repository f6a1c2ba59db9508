/**
 * A dedicated subscriber connection for one SSE stream, built on the RESP codec and the runtime's
 * `Connect`: AUTH and SELECT as the URL says, then SUBSCRIBE (or PSUBSCRIBE) to one channel. In
 * RESP2 a subscribed connection carries nothing but `subscribe`/`message`/`pmessage` arrays, so
 * every reply after the setup is a frame for the stream. `message`/`pmessage` frames are read by
 * MessageFrames and handed on as where their bytes lie; the rest is decoded. Resolves once Valkey
 * confirms the subscription; the connection ends with the stream.
 */
import { MessageFrames } from '../client/tcp/message-frames.ts'
import type { Connect, Socket } from '../client/tcp/socket.ts'
import { handshakeCommands, type TcpEndpoint } from '../client/tcp/url.ts'
import type { Arg, Reply } from '../client/types.ts'
import { ReplyError, TimeoutError, TransportError } from '../errors.ts'
import { type Decoded, RespDecoder } from '../resp/decode.ts'
import { concatBytes, encodeCommand } from '../resp/encode.ts'
import type { SubscribeHandlers, Subscription } from './upstream.ts'

export interface SubscriberOptions {
  endpoint: TcpEndpoint
  connect: Connect
  /** Connecting, AUTH, SELECT and the subscribe confirmation must finish within this many ms. */
  timeout: number
}

/**
 * Opens the connection and subscribes. Rejects with TransportError when Valkey cannot be reached,
 * ReplyError when it refuses (a wrong password), TimeoutError when it does not answer in time.
 *
 * @example
 * const sub = await openSubscriber({ endpoint, connect, timeout: 5000 }, 'subscribe', 'chat', handlers)
 * sub.close()
 */
export const openSubscriber = async (
  { endpoint, connect, timeout }: SubscriberOptions,
  kind: 'subscribe' | 'psubscribe',
  channel: string,
  handlers: SubscribeHandlers,
): Promise<Subscription> => {
  const setup: Arg[][] = handshakeCommands(endpoint)
  let pendingSetup = setup.length
  let confirmed = false
  let ended = false
  let socket: Socket | undefined
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined
  const controller = new AbortController()
  const timer = setTimeout(() => {
    const error = new TimeoutError(`subscribing took over ${timeout} ms`)
    controller.abort(error)
    end(error)
  }, timeout)

  const end = (error?: unknown): void => {
    if (ended) return
    ended = true
    clearTimeout(timer)
    socket?.close()
    if (!confirmed)
      settle?.reject(error ?? new TransportError('the subscriber connection closed before subscribing'))
    else handlers.onEnd(error instanceof Error ? error : undefined)
  }
  const decoder = new RespDecoder({
    onReply(reply: Decoded) {
      if (reply instanceof ReplyError) {
        // A refused AUTH or SELECT is a setup failure (503), like the command connection's.
        const setupFailed = pendingSetup > 0
        return end(
          setupFailed
            ? new TransportError(
                `Valkey refused the subscriber's connection setup (${reply.code}); check the password, user and db`,
              )
            : reply,
        )
      }
      if (pendingSetup > 0) {
        pendingSetup--
        return
      }
      if (!Array.isArray(reply)) return
      if (!confirmed) {
        confirmed = true
        clearTimeout(timer)
        settle?.resolve()
      }
      handlers.onFrame(reply as Reply[])
    },
  })
  // Messages skip the general decoder: the SSE writer copies their bytes from the chunk.
  const frames = new MessageFrames(decoder, handlers.onMessage)
  const opened = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  // Settled possibly before it is awaited (a timeout while connecting): never unhandled.
  opened.catch(() => {})
  try {
    socket = await connect(
      { host: endpoint.host, port: endpoint.port, tls: endpoint.tls, timeout, signal: controller.signal },
      {
        onData(chunk) {
          try {
            frames.feed(chunk)
          } catch (error) {
            end(error)
          }
        },
        onClose: (error) => end(error ?? undefined),
      },
    )
  } catch (error) {
    clearTimeout(timer)
    ended = true
    throw error instanceof TimeoutError
      ? error
      : new TransportError('cannot reach Valkey to subscribe', { cause: error })
  }
  if (ended) {
    socket.close()
    await opened
  }
  const commands = [...setup, [kind.toUpperCase(), channel]].map(encodeCommand)
  socket.write(
    concatBytes(
      commands,
      commands.reduce((n, c) => n + c.length, 0),
    ),
  )
  await opened
  const open = socket
  return {
    close: () => end(),
    pause: () => open.pause?.(),
    resume: () => open.resume?.(),
  }
}
