/**
 * The TCP transport: RESP over one `Socket`, pipelined. Commands issued before the scheduled flush
 * go out in one write (in parts of `maxBatch`, so client and server overlap); replies are matched to
 * commands in order, so any number can be in flight.
 *
 * Lifecycle: the connection opens on the first command (AUTH and SELECT pipelined ahead of it).
 * When it breaks, commands in flight reject with `TransportError` (they may or may not have run);
 * commands issued meanwhile wait while the client reconnects with backoff, and reject with
 * `TransportError` when the attempts run out. Every command also carries a timeout
 * (`TimeoutError`), waiting included, so none waits forever.
 */
import { ProtocolError, ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import { type Decoded, RespDecoder } from '../../resp/decode.ts'
import { commandText, encodeCommand } from '../../resp/encode.ts'
import { delay } from '../deadlines.ts'
import { runScript } from '../script.ts'
import type {
  Arg,
  Client,
  Command,
  Reply,
  Script,
  SendOptions,
  SubscriberConnection,
  SubscriberHandlers,
  SubscriberOptions,
} from '../types.ts'
import { Fifo } from './fifo.ts'
import { connectAttempt, resolveTcpOptions, type TcpClientOptions, type TcpConfig } from './options.ts'
import { Pending, takeBatch } from './pending.ts'
import { sharedSubscribers } from './shared-subscriber.ts'
import { openWithin, type Socket } from './socket.ts'
import { openTcpSubscriber } from './subscriber.ts'
import { CommandTimeouts } from './timeouts.ts'
import { handshakeCommands } from './url.ts'

export type { TcpClientOptions } from './options.ts'

const utf8 = new TextEncoder()
const IDLE = 0
const CONNECTING = 1
const READY = 2

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

class TcpClient implements Client {
  readonly kind = 'tcp' as const
  // One deadline queue per timeout length serves every `{ timeout }` call (see deadlines.ts).
  readonly boundsTimeouts = true
  readonly #config: TcpConfig
  readonly #address: string
  #state = IDLE
  #socket: Socket | undefined
  #decoder: RespDecoder | undefined
  /** Bumped whenever a socket is dropped, so late events from it are ignored. */
  #generation = 0
  readonly #unsent = new Fifo<Pending>()
  readonly #sent = new Fifo<Pending>()
  #flushQueued = false
  readonly #timeouts: CommandTimeouts
  /** Commands not yet settled. */
  #live = 0
  #closed = false
  #drained: (() => void) | undefined

  constructor(config: TcpConfig) {
    this.#config = config
    this.#address = `${config.host}:${config.port}`
    this.#timeouts = new CommandTimeouts(
      config.commandTimeout,
      (entry, error) => this.#fail(entry, error),
      (entry, ms) => this.#timeoutError(entry, ms),
    )
  }

  send(command: Command, options?: SendOptions): Promise<Reply> {
    let payload: string | Uint8Array
    try {
      payload = commandText(command) ?? encodeCommand(command)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.#enqueue(payload, command, options, false) as Promise<Reply>
  }

  pipeline(commands: readonly Command[], options?: SendOptions): Promise<Array<Reply | ReplyError>> {
    if (!Array.isArray(commands)) return Promise.reject(new TypeError('pipeline takes an array of commands'))
    // Encode all first: one malformed command fails the batch before any of it is sent.
    let payloads: Array<string | Uint8Array>
    try {
      payloads = commands.map((command) => commandText(command) ?? encodeCommand(command))
    } catch (error) {
      return Promise.reject(error)
    }
    return Promise.all(payloads.map((payload, i) => this.#enqueue(payload, commands[i]!, options, true)))
  }

  eval(script: Script, keys: readonly string[], args: readonly Arg[], options?: SendOptions): Promise<Reply> {
    return runScript((command, opts) => this.send(command, opts), script, keys, args, options)
  }

  /**
   * A subscribe-mode connection to the same server as the same user: one shared by this client's
   * subscriptions (per text/bytes mode), or one of its own with `exclusive`.
   */
  openSubscriber(handlers: SubscriberHandlers, options?: SubscriberOptions): Promise<SubscriberConnection> {
    return this.#subscribers(handlers, options)
  }

  readonly #subscribers = sharedSubscribers((handlers, options) => {
    const { subscriberProtocol, ...config } = this.#config
    return openTcpSubscriber({ ...config, protocol: subscriberProtocol ?? 2 }, handlers, options)
  })

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#live > 0) {
      // Commands already issued are answered first; each is bounded by its own timeout.
      const cap = this.#config.commandTimeout || this.#config.connectTimeout
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, cap + 100)
        this.#drained = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#failAll(new TransportError('the client was closed before the server answered'))
    }
    this.#timeouts.stop()
    this.#state = IDLE
    this.#drop()
  }

  #enqueue(
    payload: string | Uint8Array,
    command: Command,
    options: SendOptions | undefined,
    soft: boolean,
  ): Promise<Reply | ReplyError> {
    if (this.#closed) {
      return Promise.reject(new TransportError('the client is closed; create a new one with createTcpClient'))
    }
    const name = typeof command[0] === 'string' ? command[0] : 'command'
    const bytes = options?.bytes === true
    return new Promise((resolve, reject) => {
      const entry = new Pending(payload, name, { bytes, soft }, resolve, reject)
      this.#live++
      this.#unsent.push(entry)
      this.#timeouts.arm(entry, options)
      // A burst of sends goes out in parts, so Valkey starts on the first while the rest are issued
      // (a pipeline's commands are all encoded already: splitting it would only add writes).
      if (!soft && this.#unsent.length >= this.#config.maxBatch && this.#state === READY) this.#write()
      else if (!this.#flushQueued) {
        this.#flushQueued = true
        this.#config.schedule(this.#flush)
      }
    })
  }

  #timeoutError(entry: Pending, ms: number): TimeoutError {
    const where = this.#state === READY ? 'the server did not answer' : `no connection to ${this.#address}`
    return new TimeoutError(`${entry.name} timed out after ${ms} ms (${where}); it may still run`)
  }

  #settle(entry: Pending, reply: Decoded): void {
    if (entry.settle(reply) && --this.#live === 0) this.#drained?.()
  }

  #fail(entry: Pending, error: unknown): void {
    if (entry.fail(error) && --this.#live === 0) this.#drained?.()
  }

  #failAll(error: unknown): void {
    for (const entry of this.#sent.drain()) this.#fail(entry, error)
    for (const entry of this.#unsent.drain()) this.#fail(entry, error)
  }

  /** Writes every queued command, or starts connecting. */
  #flush = (): void => {
    this.#flushQueued = false
    if (this.#state !== READY) {
      if (this.#state === IDLE && this.#unsent.length > 0) void this.#connect()
      return
    }
    this.#write()
  }

  /** Writes every queued command in one write (the connection is ready). */
  #write(): void {
    const batch = takeBatch(this.#unsent, this.#sent)
    if (batch === undefined) return
    const socket = this.#socket!
    if (typeof batch !== 'string') socket.write(batch)
    else if (socket.writeText !== undefined) socket.writeText(batch)
    else socket.write(utf8.encode(batch))
  }

  #hasWaiting(): boolean {
    for (let i = 0; i < this.#unsent.length; i++) if (!this.#unsent.at(i)!.done) return true
    return false
  }

  async #connect(): Promise<void> {
    this.#state = CONNECTING
    const { attempts, minDelay, maxDelay } = this.#config
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#open()
        this.#state = READY
        this.#flush()
        return
      } catch (error) {
        const refused = error instanceof ReplyError
        if (refused || attempt >= attempts || !this.#hasWaiting()) {
          this.#state = IDLE
          const why = refused
            ? `the server refused the connection setup (${error.code}); check the password, user and db`
            : `cannot connect to ${this.#address} after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${message(error)}`
          for (const entry of this.#unsent.drain())
            this.#fail(entry, new TransportError(why, { cause: error }))
          return
        }
        const backoff = Math.min(maxDelay, minDelay * 2 ** (attempt - 1))
        await delay(backoff * (0.8 + Math.random() * 0.4))
        if (!this.#hasWaiting()) {
          this.#state = IDLE
          return
        }
      }
    }
  }

  /** Opens a socket and runs AUTH / SELECT on it, all within `connectTimeout`. */
  async #open(): Promise<void> {
    const config = this.#config
    const id = ++this.#generation
    const { options: connecting, signal, timer } = connectAttempt(config)
    try {
      const opening = config.connect(connecting, {
        onData: (chunk) => {
          if (id === this.#generation) this.#onData(chunk)
        },
        onClose: (error) => {
          if (id === this.#generation) this.#onClose(error)
        },
      })
      // A socket that opens after we gave up is closed at once.
      const socket = await openWithin(opening, signal, (late) => late.close())
      if (id !== this.#generation) {
        socket.close()
        throw new TransportError(`the connection to ${this.#address} closed while opening`)
      }
      this.#socket = socket
      this.#decoder = new RespDecoder({
        onReply: this.#onReply,
        onPush: this.#onPush,
        bytes: this.#wantBytes,
      })
      const setup: Command[] = handshakeCommands(config)
      if (setup.length > 0) {
        const replies = Promise.all(setup.map((command) => this.#setup(command)))
        await openWithin(replies, signal, () => {})
      }
    } catch (error) {
      if (id === this.#generation) this.#drop()
      // Setup commands still waiting belong to this dead socket.
      for (const entry of this.#sent.drain()) this.#fail(entry, error)
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** Writes a connection-setup command ahead of everything queued. */
  #setup(command: Command): Promise<Reply | ReplyError> {
    return new Promise((resolve, reject) => {
      const entry = new Pending('', String(command[0]), { bytes: false, soft: false }, resolve, reject)
      this.#live++
      this.#sent.push(entry)
      this.#socket!.write(encodeCommand(command))
    })
  }

  #wantBytes = (): boolean => this.#sent.peek()?.bytes ?? false

  #onReply = (reply: Decoded): void => {
    const entry = this.#sent.shift()
    if (entry === undefined) throw new ProtocolError('a reply arrived with no command waiting for it')
    this.#settle(entry, reply)
  }

  #onPush = (frame: Decoded[]): void => {
    try {
      this.#config.onPush?.(frame as Reply[])
    } catch (error) {
      // The caller's handler failed: report it, but keep the connection and the replies in step.
      queueMicrotask(() => {
        throw error
      })
    }
  }

  #onData(chunk: Uint8Array): void {
    try {
      this.#decoder!.feed(chunk)
    } catch (error) {
      this.#onClose(error)
    }
  }

  /** The socket ended: what was in flight fails; what waits triggers a reconnect. */
  #onClose(error: unknown): void {
    const wasReady = this.#state === READY
    this.#drop()
    const why = `the connection to ${this.#address} ${error === undefined ? 'closed' : `broke (${message(error)})`} before the reply; the command may or may not have run`
    for (const entry of this.#sent.drain()) this.#fail(entry, new TransportError(why, { cause: error }))
    if (wasReady) {
      this.#state = IDLE
      if (this.#hasWaiting()) void this.#connect()
    }
  }

  /** Forgets the current socket (closing it) so none of its later events count. */
  #drop(): void {
    this.#generation++
    const socket = this.#socket
    this.#socket = undefined
    this.#decoder = undefined
    socket?.close()
  }
}

/**
 * A `Client` over TCP (RESP2), pipelined on one connection.
 *
 * @example
 * import { createTcpClient } from 'floodgate'
 * import { connect } from 'floodgate/node'
 *
 * const client = createTcpClient({ url: process.env.VALKEY_URL, connect })
 * await client.send(['SET', 'greeting', 'hello', 'PX', 60_000])
 * const [n, ttl] = await client.pipeline([['INCR', 'hits'], ['PTTL', 'hits']])
 * await client.close()
 */
export const createTcpClient = (options: TcpClientOptions): Client =>
  new TcpClient(resolveTcpOptions(options))
