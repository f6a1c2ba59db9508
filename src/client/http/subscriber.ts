/**
 * The HTTP subscriber: Server-Sent Events in Upstash's contract, as the bridge serves it and as
 * `@upstash/redis` reads it. One streaming `POST /subscribe/<channel>` (or `/psubscribe/<pattern>`)
 * per name; events are `data: subscribe,<ch>,<n>`, `data: message,<ch>,<payload>` and
 * `data: pmessage,<pattern>,<ch>,<payload>`, a payload spanning lines arriving as several `data:`
 * lines (joined back with "\n", as the SSE spec says). A stream that ends or breaks ends the whole
 * connection, so the layer above resubscribes everything and reports the gap.
 */
import { ConfigError, ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import type { SubscribeKind, SubscriberConnection, SubscriberHandlers } from '../types.ts'
import { SseEvents } from './sse-events.ts'

/** The part of `fetch` the subscriber needs: a streaming body. The global `fetch` has it. */
export type StreamFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  ok: boolean
  status: number
  text(): Promise<string>
  body: ReadableStream<Uint8Array> | null
}>

/** The HTTP client's options, as given to `createHttpClient`: the reader takes what it needs. */
export interface SseOptions {
  url: string
  token?: string
  headers?: Record<string, string>
  /** Default the global `fetch`. */
  streamFetch?: StreamFetch
  /** Drop a stream silent this long (the bridge sends a comment every 15 s); default 0, never. */
  subscriberIdleTimeout?: number
}

class SseSubscriber implements SubscriberConnection {
  readonly #options: SseOptions
  readonly #url: string
  readonly #origin: string
  readonly #headers: Record<string, string>
  readonly #handlers: SubscriberHandlers
  readonly #streams = new Map<string, AbortController>()
  #ended = false
  #gate: { promise: Promise<void>; resolve: () => void } | undefined

  constructor(options: SseOptions, handlers: SubscriberHandlers) {
    this.#options = options
    // As createHttpClient reads them: the token may be the URL's password.
    const parsed = new URL(options.url)
    const token = options.token ?? (decodeURIComponent(parsed.password) || undefined)
    parsed.username = ''
    parsed.password = ''
    this.#url = parsed.href.replace(/\/+$/, '')
    this.#origin = parsed.origin
    this.#headers = { ...options.headers, Accept: 'text/event-stream' }
    if (token !== undefined) this.#headers.Authorization = `Bearer ${token}`
    this.#handlers = handlers
  }

  async subscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    if (kind === 'ssubscribe') {
      throw new ConfigError(
        'sharded subscribe (SSUBSCRIBE) is not part of the HTTP contract: subscribe to plain channels, or use a TCP or cluster client',
      )
    }
    await Promise.all(names.map((name) => this.#open(kind, name)))
  }

  async unsubscribe(kind: SubscribeKind, names: readonly string[]): Promise<void> {
    // Closing the stream is the unsubscribe: the bridge closes its upstream connection with it.
    for (const name of names) {
      const key = `${kind}:${name}`
      this.#streams.get(key)?.abort()
      this.#streams.delete(key)
    }
  }

  pause(): void {
    if (this.#gate) return
    let resolve!: () => void
    const promise = new Promise<void>((r) => {
      resolve = r
    })
    this.#gate = { promise, resolve }
  }

  resume(): void {
    const gate = this.#gate
    this.#gate = undefined
    gate?.resolve()
  }

  close(): void {
    this.#end(undefined, false)
  }

  #end(error: unknown, report = true): void {
    if (this.#ended) return
    this.#ended = true
    for (const controller of this.#streams.values()) controller.abort()
    this.#streams.clear()
    this.resume()
    if (report) this.#handlers.onClose(error)
  }

  async #open(kind: 'subscribe' | 'psubscribe', name: string): Promise<void> {
    if (this.#ended) throw new TransportError('the subscriber connection is closed')
    const key = `${kind}:${name}`
    if (this.#streams.has(key)) return
    const controller = new AbortController()
    this.#streams.set(key, controller)
    const url = this.#url
    const origin = this.#origin
    const fetch = this.#options.streamFetch ?? (globalThis.fetch as unknown as StreamFetch | undefined)
    if (typeof fetch !== 'function')
      throw new TypeError(
        'subscribe() over HTTP needs a streaming fetch: pass streamFetch to createHttpClient',
      )
    let response: Awaited<ReturnType<StreamFetch>>
    try {
      response = await fetch(`${url}/${kind}/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: this.#headers,
        signal: controller.signal,
      })
    } catch (cause) {
      this.#streams.delete(key)
      throw new TransportError(`cannot reach ${origin} to subscribe`, { cause })
    }
    if (!response.ok || response.body === null) {
      this.#streams.delete(key)
      const text = await response.text().catch(() => '')
      controller.abort()
      let message = text
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text
      } catch {
        // not JSON: quote the text
      }
      if (response.status === 401 || response.status === 403 || response.status === 400)
        throw new ReplyError(message || `ERR ${origin} refused the subscription (${response.status})`)
      throw new TransportError(`${origin} answered ${response.status} to subscribe: ${message.slice(0, 200)}`)
    }
    let confirm!: { resolve: () => void; reject: (e: unknown) => void }
    const confirmed = new Promise<void>((resolve, reject) => {
      confirm = { resolve, reject }
    })
    void this.#read(response.body, kind, name, controller, confirm)
    return confirmed
  }

  async #read(
    body: ReadableStream<Uint8Array>,
    kind: 'subscribe' | 'psubscribe',
    name: string,
    controller: AbortController,
    confirm: { resolve: () => void; reject: (e: unknown) => void },
  ): Promise<void> {
    const reader = body.getReader()
    const idleTimeout = this.#options.subscriberIdleTimeout ?? 0
    let heard = true
    const idle =
      idleTimeout > 0
        ? setInterval(() => {
            if (!heard)
              controller.abort(new TimeoutError(`the ${kind} stream was silent for ${idleTimeout} ms`))
            heard = false
          }, idleTimeout)
        : undefined
    const events = new SseEvents(kind, name, this.#handlers, confirm.resolve)
    let error: unknown
    try {
      for (;;) {
        if (this.#gate) await this.#gate.promise
        const { done, value } = await reader.read()
        if (done) break
        heard = true
        events.feed(value)
      }
    } catch (cause) {
      error = controller.signal.aborted ? controller.signal.reason : cause
    } finally {
      clearInterval(idle)
    }
    // The bridge's last event, or why the reader dropped the stream.
    const ended = events.ended ?? (error instanceof TransportError ? error.message : undefined)
    const why =
      error instanceof TimeoutError
        ? error
        : new TransportError(`the ${kind} stream for '${name}' ended${ended ? `: ${ended}` : ''}`, {
            cause: error,
          })
    confirm.reject(why)
    if (this.#streams.get(`${kind}:${name}`) !== controller) return // unsubscribed or closed
    this.#end(why)
  }
}

/**
 * Opens an SSE subscriber connection; no request is made until `subscribe`.
 *
 * @example
 * const sub = await openSseSubscriber({ url, token }, { onMessage: (ch, msg) => {}, onClose: () => {} })
 * await sub.subscribe('subscribe', ['chat'])
 */
export const openSseSubscriber = async (
  options: SseOptions,
  handlers: SubscriberHandlers,
): Promise<SubscriberConnection> => new SseSubscriber(options, handlers)
