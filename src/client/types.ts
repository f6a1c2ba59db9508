/**
 * The one small interface everything above `client/` talks to: send one command, send a
 * pipeline, run a Lua script. Transports (TCP, HTTP, memory, cluster) implement it.
 *
 * Replies are RESP2-shaped JavaScript values: a string, an integer, `null`, or an array of those.
 * Bulk strings arrive as `string` (UTF-8) unless the caller asks for bytes (`{ bytes: true }`),
 * then as `Uint8Array`. RESP3 maps and sets are flattened to arrays, as RESP2 would send them.
 */
import type { ReplyError } from '../errors.ts'
import type { Arg, Command } from '../resp/types.ts'

export type { Arg, Command } from '../resp/types.ts'

/** A reply, shaped as RESP2 would deliver it. */
export type Reply = string | number | null | Uint8Array | Reply[]

export interface SendOptions {
  /** Return bulk strings as `Uint8Array` instead of decoding them as UTF-8. */
  bytes?: boolean
  /** Give up after this many milliseconds with a `TimeoutError` (the command may still run). */
  timeout?: number
  /** Give up when this signal aborts, with a `TimeoutError` carrying the abort reason. */
  signal?: AbortSignal
}

/**
 * What a script's TypeScript twin sees: a synchronous `call`, like `redis.call` in Lua, that runs
 * one command against the memory backend's data. A command the server would refuse throws a
 * `ReplyError`, as `redis.call` raises an error in Lua.
 */
export interface ScriptContext {
  call(...args: Arg[]): Reply
  /** The server clock in epoch ms: the instant `TIME` gives, fixed for the script's run. */
  now(): number
  /** `call('GET', key)` without the command dispatch: the hot read of limiter and session twins. */
  get(key: string): string | null
  /** `call('SET', key, value, 'PX', ttl)` without the command dispatch; `ttl` is a positive integer. */
  setPx(key: string, value: string | number, ttl: number): void
}

/**
 * The context the client running a twin hands it: a `ScriptContext`, plus integer tuples kept
 * unprinted for state stored as integers joined by `:` (a limiter's `"29400123:7:2"`). Internal,
 * not exported: twins written by users see `ScriptContext`; the memory backend hands every twin
 * a `TwinContext`, and floodgate's limiter twin reads it as one.
 */
export interface TwinContext extends ScriptContext {
  /**
   * `get(key)` for a value of integers joined by `:`: the integers when `setIntegersPx` stored
   * them, else the text (or `null`), for the twin to parse. The integers are the stored array
   * itself: read them before writing that key, which updates them in place.
   */
  getIntegers(key: string): readonly number[] | string | null
  /**
   * `setPx(key, integers.join(':'), ttl)`, kept as the integers (copied in): nothing is printed
   * now, and the next `getIntegers` parses nothing. Every command still reads the text.
   */
  setIntegersPx(key: string, integers: readonly number[], ttl: number): void
}

/** The same logic as a script's Lua, in TypeScript, run atomically by the memory backend. */
export type ScriptTwin = (redis: ScriptContext, keys: readonly string[], argv: readonly string[]) => Reply

/** A Lua script: Valkey runs `lua`, the memory backend runs `twin`. Build one with `defineScript`. */
export interface Script {
  /** A short name for error messages, e.g. `'slidingWindow'`. */
  readonly name: string
  readonly lua: string
  readonly twin?: ScriptTwin
  /** The SHA1 of `lua` in lowercase hex, once computed; see `scriptSha`. */
  sha?: string
}

export interface Client {
  /** Which transport this is, for logs and diagnostics only: no layer above `client/` branches on it. */
  readonly kind: 'tcp' | 'http' | 'memory' | 'cluster'
  /**
   * True when `send` bounds a call by `SendOptions.timeout` itself, strictly and without a timer
   * per call: a caller on a hot path may pass `{ timeout }` instead of racing a timer of its own.
   */
  readonly boundsTimeouts?: boolean
  /**
   * Sends one command. Resolves with the reply; rejects with `ReplyError` when the server refuses
   * it, `TransportError` when it cannot be reached, `TimeoutError` when it does not answer in time.
   */
  send(command: Command, options?: SendOptions): Promise<Reply>
  /**
   * Sends several commands in one batch, in order (not atomic). Each entry of the result is the
   * command's reply, or the `ReplyError` it got. Rejects only when the batch as a whole fails.
   */
  pipeline(commands: readonly Command[], options?: SendOptions): Promise<Array<Reply | ReplyError>>
  /** Runs a script with EVALSHA, falling back to EVAL when the server answers NOSCRIPT. */
  eval(script: Script, keys: readonly string[], args: readonly Arg[], options?: SendOptions): Promise<Reply>
  /**
   * Opens a connection that receives published messages (a dedicated subscribe-mode socket, an SSE
   * stream, the memory broker). `floodgate`'s `subscribe()` builds on it; a transport without it
   * cannot subscribe.
   */
  openSubscriber?(handlers: SubscriberHandlers, options?: SubscriberOptions): Promise<SubscriberConnection>
  /** Closes the connections. Commands already sent are answered first where possible. */
  close(): Promise<void>
}

/** Which kind of subscription: channels, glob patterns, or shard channels (Valkey 7+ cluster). */
export type SubscribeKind = 'subscribe' | 'psubscribe' | 'ssubscribe'

/** What a subscriber connection reports back to the pub/sub layer above it. */
export interface SubscriberHandlers {
  /**
   * One published message; `pattern` is set for a pattern subscription's match, `sharded` for a
   * shard channel's message (`smessage`, sent by SPUBLISH). Valkey keeps shard channels apart from
   * classic channels of the same name: PUBLISH never reaches an SSUBSCRIBE, nor SPUBLISH a SUBSCRIBE.
   */
  onMessage(channel: string, message: string | Uint8Array, pattern?: string, sharded?: boolean): void
  /**
   * The connection ended (the server went away, a shard channel moved, `close()`): called once,
   * never after `close()`. Messages published from now on are lost until a new connection subscribes.
   */
  onClose(error?: unknown): void
}

/** Options for a subscriber connection. */
export interface SubscriberOptions {
  /** Deliver messages as `Uint8Array` instead of UTF-8 text. */
  bytes?: boolean
  /**
   * A connection of its own, not shared with the client's other subscriptions: one that will
   * `pause()` must not stop the others' reading.
   */
  exclusive?: boolean
}

/**
 * A connection dedicated to receiving published messages: what `Client.openSubscriber` returns.
 * `subscribe` resolves once the server confirmed every name.
 */
export interface SubscriberConnection {
  subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void>
  unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void>
  /** Optional flow control: stop reading from the network until `resume()` (the server buffers). */
  pause?(): void
  resume?(): void
  close(): void
}
