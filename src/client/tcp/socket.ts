/**
 * The byte pipe under the TCP client, small enough for every runtime to supply one: Node
 * (`node:net`/`node:tls`, `adapters/node`), Cloudflare Workers (`cloudflare:sockets`,
 * `adapters/cloudflare`) and Deno (`Deno.connect`, `adapters/deno`). The client never learns which.
 */

/** Where to connect and how long to try. */
export interface ConnectOptions {
  readonly host: string
  readonly port: number
  /** Wrap the connection in TLS. */
  readonly tls: boolean
  /** The TLS server name (SNI and certificate check); defaults to `host`. */
  readonly servername?: string
  /** Give up connecting after this many milliseconds. */
  readonly timeout?: number
  /** Give up connecting when this aborts. */
  readonly signal?: AbortSignal
}

/** What the socket reports back. Neither is called before `Connect` resolves. */
export interface SocketHandlers {
  /** Bytes as they arrive. The chunk is the handler's to keep. */
  onData(chunk: Uint8Array): void
  /** The connection ended, by either side; `error` when it broke. Called at most once. */
  onClose(error?: unknown): void
}

/** An open connection. Writes are queued in order; a failed write surfaces as `onClose(error)`. */
export interface Socket {
  write(data: Uint8Array): void
  /**
   * Optional: writes `text` as UTF-8. Where the runtime's socket takes strings (Node), this skips
   * an encode into a fresh `Uint8Array` per write; the client uses it for all-text batches.
   */
  writeText?(text: string): void
  /** Sends what is queued, then closes. `onClose` follows. */
  close(): void
  /**
   * Optional: stop delivering `onData` until `resume()`, so unread bytes stay in the kernel and
   * the peer sees backpressure (the bridge's SSE streams and a
   * subscriber's slow consumer push back on their peer this way).
   */
  pause?(): void
  resume?(): void
}

/**
 * Opens a connection. Resolves once bytes can be written; rejects when the connection cannot be
 * made, or when `options.signal` aborts.
 *
 * @example
 * import { connect } from 'floodgate/node'
 * const client = createTcpClient({ url: 'redis://127.0.0.1:6379', connect })
 */
export type Connect = (options: ConnectOptions, handlers: SocketHandlers) => Promise<Socket>

/**
 * A `Socket` over a Web Streams pair, as Cloudflare's `connect()` and Deno's `Conn` expose. Reads in
 * a loop and hands each chunk to `onData`; `close` ends the writer, then calls `closeRaw`.
 *
 * @example
 * const conn = await Deno.connect({ hostname, port })
 * return streamSocket(conn.readable, conn.writable, handlers, () => conn.close())
 */
export const streamSocket = (
  readable: ReadableStream<Uint8Array>,
  writable: WritableStream<Uint8Array>,
  handlers: SocketHandlers,
  closeRaw: () => void,
): Socket => {
  const writer = writable.getWriter()
  let closed = false
  let paused: { promise: Promise<void>; resolve: () => void } | undefined
  const finish = (error?: unknown) => {
    if (closed) return
    closed = true
    try {
      closeRaw()
    } catch {
      // Already closed by the other side.
    }
    handlers.onClose(error)
  }
  const pump = async () => {
    const reader = readable.getReader()
    try {
      for (;;) {
        if (paused !== undefined) await paused.promise
        const { done, value } = await reader.read()
        if (done) break
        handlers.onData(value)
      }
      finish()
    } catch (error) {
      finish(error)
    }
  }
  void pump()
  return {
    write(data) {
      if (!closed) writer.write(data).catch(finish)
    },
    pause() {
      if (paused !== undefined) return
      let resolve!: () => void
      const promise = new Promise<void>((r) => {
        resolve = r
      })
      paused = { promise, resolve }
    },
    resume() {
      const gate = paused
      paused = undefined
      gate?.resolve()
    },
    close() {
      paused?.resolve()
      if (closed) return
      writer.close().then(
        () => finish(),
        (error: unknown) => finish(error),
      )
    },
  }
}

/**
 * Waits for `opening` unless `signal` aborts first (then rejects with its reason); a socket that
 * opens after that is handed to `closeLate`, so no connection leaks.
 *
 * @example
 * const conn = await openWithin(Deno.connect({ hostname, port }), options.signal, (c) => c.close())
 */
export const openWithin = <T>(
  opening: Promise<T>,
  signal: AbortSignal | undefined,
  closeLate: (late: T) => void,
): Promise<T> => {
  if (signal === undefined) return opening
  return new Promise<T>((resolve, reject) => {
    let gaveUp = false
    const onAbort = () => {
      gaveUp = true
      reject(signal.reason)
    }
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    opening.then(
      (opened) => {
        signal.removeEventListener('abort', onAbort)
        if (gaveUp) closeLate(opened)
        else resolve(opened)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
