/**
 * The TCP client's options, and their resolution into one checked configuration: URL fields first,
 * explicit fields over them, defaults last. Misuse throws `TypeError`; a bad URL `ConfigError`.
 */

import { TimeoutError } from '../../errors.ts'
import type { Reply } from '../types.ts'
import type { Connect, ConnectOptions } from './socket.ts'
import { parseTcpUrl, type TcpEndpoint } from './url.ts'

export interface TcpClientOptions {
  /** Opens the socket: `connect` from `floodgate/node`, `floodgate/cloudflare` or `floodgate/deno`. */
  connect: Connect
  /** `redis://user:pass@host:port/db`; `rediss://` for TLS; `valkey://` and `valkeys://` alike. */
  url?: string
  host?: string
  port?: number
  tls?: boolean
  /** TLS server name when it differs from `host`. */
  servername?: string
  username?: string
  password?: string
  /** Database to `SELECT` after connecting. */
  db?: number
  /** Milliseconds to open the connection, AUTH and SELECT included. Default 5000. */
  connectTimeout?: number
  /** Milliseconds each command may take, waiting for a reconnect included; 0 = none. Default 10000. */
  commandTimeout?: number
  /**
   * Reconnection after the connection breaks, tried only while commands wait: up to `attempts`
   * tries, `minDelay` doubling to `maxDelay` ms between them. Defaults 10, 50, 2000.
   */
  reconnect?: { attempts?: number; minDelay?: number; maxDelay?: number }
  /**
   * When queued commands are written. Every command issued before it fires goes out in one write.
   * Default: `setImmediate` where the runtime has one (Node, Bun), joining the commands issued
   * during one event-loop turn, else `queueMicrotask` (one write per tick). Pass your own to batch
   * differently (the bridge holds flushes while replies are outstanding).
   */
  schedule?: (flush: () => void) => void
  /**
   * Queued commands are written as soon as this many wait, without waiting for the scheduled
   * flush, so the server starts on the first part of a burst while the client prepares the rest
   * (client and server overlap instead of taking turns; measured in bench/limiter: 50 decisions in
   * flight went from about 50-68k/s to 85-95k/s). Pipelines are never split. Default 16 with the
   * default `schedule`; with your own `schedule`, `Infinity` (your schedule alone decides).
   */
  maxBatch?: number
  /** RESP3 push frames (after `HELLO 3`), e.g. client-side caching invalidations. */
  onPush?: (frame: Reply[]) => void
  /** The protocol of `subscribe()`'s dedicated connection: 3 sends `HELLO 3` (messages as pushes). Default 2. */
  subscriberProtocol?: 2 | 3
}

export interface TcpConfig extends TcpEndpoint {
  connect: Connect
  servername?: string
  connectTimeout: number
  commandTimeout: number
  attempts: number
  minDelay: number
  maxDelay: number
  schedule: (flush: () => void) => void
  maxBatch: number
  onPush?: (frame: Reply[]) => void
  subscriberProtocol?: 2 | 3
}

const setImmediateLike = (globalThis as { setImmediate?: (run: () => void) => unknown }).setImmediate

/**
 * `setImmediate` where the runtime has it (Node, Bun): the flush runs after the I/O callbacks of
 * the current event-loop turn, so replies arriving in several chunks still feed one write (measured
 * in bench/tcp-client). Elsewhere (Workers, Deno, browsers) a microtask: still one write per tick.
 */
const defaultSchedule: (flush: () => void) => void =
  typeof setImmediateLike === 'function'
    ? (flush) => void setImmediateLike(flush)
    : (flush) => queueMicrotask(flush)

/** Commands per write before the scheduled flush (bench/limiter: 12 to 32 measured alike). */
const DEFAULT_MAX_BATCH = 16

const nonNegative = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a non-negative number of milliseconds, received ${value}`)
  }
  return value
}

export const resolveTcpOptions = (options: TcpClientOptions): TcpConfig => {
  if (typeof options?.connect !== 'function') {
    throw new TypeError(
      "createTcpClient needs a connect function: import { connect } from 'floodgate/node' (or floodgate/deno, floodgate/cloudflare)",
    )
  }
  const fromUrl: Partial<TcpEndpoint> = options.url === undefined ? {} : parseTcpUrl(options.url)
  const host = options.host ?? fromUrl.host ?? '127.0.0.1'
  const port = options.port ?? fromUrl.port ?? 6379
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`port must be an integer from 1 to 65535, received ${port}`)
  }
  const db = options.db ?? fromUrl.db
  if (db !== undefined && (!Number.isInteger(db) || db < 0)) {
    throw new TypeError(`db must be a non-negative integer, received ${db}`)
  }
  const reconnect = options.reconnect ?? {}
  const attempts = reconnect.attempts ?? 10
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new TypeError(`reconnect.attempts must be a positive integer, received ${attempts}`)
  }
  const config: TcpConfig = {
    connect: options.connect,
    host,
    port,
    tls: options.tls ?? fromUrl.tls ?? false,
    connectTimeout: nonNegative('connectTimeout', options.connectTimeout, 5000),
    commandTimeout: nonNegative('commandTimeout', options.commandTimeout, 10_000),
    attempts,
    minDelay: nonNegative('reconnect.minDelay', reconnect.minDelay, 50),
    maxDelay: nonNegative('reconnect.maxDelay', reconnect.maxDelay, 2000),
    schedule: options.schedule ?? defaultSchedule,
    maxBatch: options.maxBatch ?? (options.schedule === undefined ? DEFAULT_MAX_BATCH : Infinity),
  }
  if (!(config.maxBatch >= 1)) {
    throw new TypeError(`maxBatch must be a number of commands, 1 or more, received ${options.maxBatch}`)
  }
  const username = options.username ?? fromUrl.username
  const password = options.password ?? fromUrl.password
  if (username !== undefined) config.username = username
  if (password !== undefined) config.password = password
  if (db !== undefined) config.db = db
  if (options.servername !== undefined) config.servername = options.servername
  if (options.onPush !== undefined) config.onPush = options.onPush
  const protocol = options.subscriberProtocol
  if (protocol !== undefined && protocol !== 2 && protocol !== 3)
    throw new TypeError(`subscriberProtocol must be 2 or 3, received ${String(protocol)}`)
  if (protocol !== undefined) config.subscriberProtocol = protocol
  if (username !== undefined && password === undefined) {
    throw new TypeError('a username needs a password: AUTH takes both')
  }
  return config
}

/**
 * Starts a connection attempt's clock: the options for `connect()`, the signal that aborts the
 * attempt with a `TimeoutError` once `connectTimeout` has passed (also `options.signal`; hand it to
 * `openWithin` for the setup that follows), and the timer to clear once connected.
 */
export const connectAttempt = (
  config: TcpEndpoint & { servername?: string; connectTimeout: number },
): { options: ConnectOptions; signal: AbortSignal; timer: ReturnType<typeof setTimeout> } => {
  const controller = new AbortController()
  const timer = setTimeout(
    () =>
      controller.abort(
        new TimeoutError(
          `connecting to ${config.host}:${config.port} took over ${config.connectTimeout} ms: check that the ` +
            'server is up and reachable from here (host, port, TLS, password), or raise connectTimeout',
        ),
      ),
    config.connectTimeout,
  )
  const { signal } = controller
  const options: ConnectOptions = {
    host: config.host,
    port: config.port,
    tls: config.tls,
    servername: config.servername ?? config.host,
    timeout: config.connectTimeout,
    signal,
  }
  return { options, signal, timer }
}
