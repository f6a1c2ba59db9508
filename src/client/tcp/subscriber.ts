/**
 * The TCP subscriber: a connection of its own in subscribe mode (RESP2 allows nothing else on it),
 * opened with the client's address and credentials. Subscribe confirmations and messages arrive as
 * arrays under RESP2 and as push frames under RESP3 (`protocol: 3` sends `HELLO 3` first); both end
 * up in `#frame`. A PING every `pingInterval` ms finds a half-open connection (the server gone
 * without a FIN) and closes it, so the layer above reconnects.
 */
import { ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import { type Decoded, RespDecoder } from '../../resp/decode.ts'
import { concatBytes, encodeCommand } from '../../resp/encode.ts'
import type { SubscribeKind, SubscriberConnection, SubscriberHandlers, SubscriberOptions } from '../types.ts'
import { MessageFrames, textMessages } from './message-frames.ts'
import { connectAttempt } from './options.ts'
import { type Connect, openWithin, type Socket } from './socket.ts'
import { handshakeCommands, type TcpEndpoint } from './url.ts'

export interface TcpSubscriberConfig extends TcpEndpoint {
  connect: Connect
  servername?: string
  connectTimeout: number
  /** `3` speaks RESP3 (`HELLO 3`): messages come as push frames. Default 2. */
  protocol?: 2 | 3
  /** Send PING this often and drop a connection that stays silent through two. Default 30000. */
  pingInterval?: number
}

interface Waiting {
  /** The confirmation's name: `subscribe`, `punsubscribe`, ... */
  readonly type: string
  readonly names: Set<string>
  resolve(): void
  reject(error: unknown): void
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
const asText = (value: Decoded | undefined): string =>
  value instanceof Uint8Array ? utf8.decode(value) : String(value ?? '')
const UNSUBSCRIBE: Record<SubscribeKind, string> = {
  subscribe: 'unsubscribe',
  psubscribe: 'punsubscribe',
  ssubscribe: 'sunsubscribe',
}

class TcpSubscriber implements SubscriberConnection {
  readonly #socket: Socket
  readonly #handlers: SubscriberHandlers
  readonly #waiting: Waiting[] = []
  #ended = false
  #heard = true
  #paused = false
  #ping: ReturnType<typeof setInterval> | undefined

  constructor(socket: Socket, handlers: SubscriberHandlers, pingInterval: number) {
    this.#socket = socket
    this.#handlers = handlers
    if (pingInterval > 0) {
      this.#ping = setInterval(() => {
        // While paused nothing is read, so silence proves nothing.
        if (this.#paused) return
        if (!this.#heard)
          return this.end(new TimeoutError(`the subscriber heard nothing for ${pingInterval} ms`))
        this.#heard = false
        this.#socket.write(encodeCommand(['PING']))
      }, pingInterval)
    }
  }

  subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    return this.#request(kind, kind, names)
  }

  unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    return this.#request(UNSUBSCRIBE[kind], UNSUBSCRIBE[kind], names)
  }

  pause(): void {
    this.#paused = true
    this.#socket.pause?.()
  }

  resume(): void {
    this.#paused = false
    this.#heard = true
    this.#socket.resume?.()
  }

  close(): void {
    this.end(undefined, false)
  }

  #request(command: string, type: string, names: readonly string[]): Promise<void> {
    if (this.#ended) return Promise.reject(new TransportError('the subscriber connection is closed'))
    if (names.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.#waiting.push({ type, names: new Set(names), resolve, reject })
      this.#socket.write(encodeCommand([command.toUpperCase(), ...names]))
    })
  }

  /** A message read by the fast path (MessageFrames). */
  message(
    channel: string,
    message: string | Uint8Array,
    pattern: string | undefined,
    sharded: boolean,
  ): void {
    this.#heard = true
    this.#handlers.onMessage(channel, message, pattern, sharded)
  }

  /** Every decoded reply and push: confirmations, messages, PONGs, errors. */
  frame(reply: Decoded): void {
    this.#heard = true
    if (reply instanceof ReplyError) {
      // A refused (S)SUBSCRIBE (MOVED, CROSSSLOT, NOPERM): the oldest request still waiting.
      this.#waiting.shift()?.reject(reply)
      return
    }
    if (!Array.isArray(reply)) return // RESP3 +PONG
    const first = reply[0]
    const type = typeof first === 'string' ? first : asText(first)
    if (type === 'message' || type === 'smessage') {
      this.#handlers.onMessage(
        asText(reply[1]),
        reply[2] as string | Uint8Array,
        undefined,
        type === 'smessage',
      )
    } else if (type === 'pmessage') {
      this.#handlers.onMessage(asText(reply[2]), reply[3] as string | Uint8Array, asText(reply[1]))
    } else if (type !== 'pong') this.#confirm(type, asText(reply[1]))
  }

  #confirm(type: string, name: string): void {
    const index = this.#waiting.findIndex((w) => w.type === type && w.names.has(name))
    if (index === -1) {
      // Valkey unsubscribes a shard channel by itself when its slot moves to another node.
      if (type === 'sunsubscribe')
        this.end(new TransportError(`shard channel '${name}' moved to another node; resubscribing`))
      return
    }
    const waiting = this.#waiting[index]!
    waiting.names.delete(name)
    if (waiting.names.size === 0) {
      this.#waiting.splice(index, 1)
      waiting.resolve()
    }
  }

  end(error?: unknown, report = true): void {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#ping)
    this.#socket.close()
    const why = new TransportError('the subscriber connection closed', { cause: error })
    for (const waiting of this.#waiting.splice(0)) waiting.reject(why)
    if (report) this.#handlers.onClose(error)
  }
}

/**
 * Opens a subscriber connection: connects, runs AUTH/SELECT (and HELLO 3), and resolves once the
 * server accepted them. Rejects with TransportError, or ReplyError when the server refuses the setup.
 *
 * @example
 * const sub = await openTcpSubscriber(config, { onMessage: (ch, msg) => {}, onClose: () => {} })
 * await sub.subscribe('subscribe', ['chat'])
 */
export const openTcpSubscriber = async (
  config: TcpSubscriberConfig,
  handlers: SubscriberHandlers,
  options: SubscriberOptions = {},
): Promise<SubscriberConnection> => {
  const setup: (string | number)[][] = handshakeCommands(config)
  if (config.protocol === 3) setup.push(['HELLO', 3])
  let pending = setup.length
  let subscriber: TcpSubscriber | undefined
  let settle!: { resolve: () => void; reject: (error: unknown) => void }
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  ready.catch(() => {})
  const decoder = new RespDecoder({
    onReply(reply) {
      if (pending > 0) {
        pending--
        if (reply instanceof ReplyError) settle.reject(reply)
        else if (pending === 0) settle.resolve()
        return
      }
      subscriber?.frame(reply)
    },
    onPush: (frame) => subscriber?.frame(frame),
    bytes: () => options.bytes === true,
  })
  // Messages skip the general decoder once subscribed; setup replies go through it.
  const frames = new MessageFrames(
    decoder,
    textMessages(
      (channel, message, pattern, sharded) => subscriber?.message(channel, message, pattern, sharded),
      options.bytes === true,
    ),
  )
  const { options: connecting, signal, timer } = connectAttempt(config)
  const address = `${config.host}:${config.port}`
  let socket: Socket | undefined
  let closedEarly: unknown = null
  try {
    const opening = config.connect(connecting, {
      onData(chunk) {
        try {
          if (subscriber === undefined) decoder.feed(chunk)
          else frames.feed(chunk)
        } catch (error) {
          subscriber?.end(error)
          settle.reject(error)
        }
      },
      onClose(error) {
        if (subscriber) subscriber.end(error)
        else {
          closedEarly = error
          settle.reject(
            new TransportError(`the connection to ${address} closed during setup`, { cause: error }),
          )
        }
      },
    })
    socket = await openWithin(opening, signal, (late) => late.close())
    if (setup.length === 0) settle.resolve()
    else {
      const parts = setup.map(encodeCommand)
      socket.write(
        concatBytes(
          parts,
          parts.reduce((n, part) => n + part.length, 0),
        ),
      )
    }
    await openWithin(ready, signal, () => {})
  } catch (error) {
    socket?.close()
    if (error instanceof ReplyError) throw error
    throw error instanceof TimeoutError
      ? error
      : new TransportError(`cannot open a subscriber connection to ${address}`, {
          cause: error ?? closedEarly,
        })
  } finally {
    clearTimeout(timer)
  }
  subscriber = new TcpSubscriber(socket, handlers, config.pingInterval ?? 30_000)
  return subscriber
}
