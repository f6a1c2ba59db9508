/**
 * `/subscribe/<channel>` and `/psubscribe/<pattern>` as Server-Sent Events, in the Upstash shape
 * `@upstash/redis` reads: `data: subscribe,chat,1`, `data: message,chat,hello`,
 * `data: pmessage,chat:*,chat:1,hello`. Payloads are never base64-encoded. Each stream has its own
 * upstream connection, closed when the client goes away (the stream is cancelled) or the bridge
 * drains. A comment line every 15 s keeps proxies from timing the stream out.
 */
import type { Reply } from '../client/types.ts'
import type { Metrics } from './metrics.ts'
import type { Subscription, Upstream } from './upstream.ts'

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }) // keep a value's leading U+FEFF
const encoder = new TextEncoder()
const HEARTBEAT_MS = 15_000

const text = (value: Reply): string =>
  value instanceof Uint8Array ? utf8.decode(value) : Array.isArray(value) ? '' : String(value ?? '')

/**
 * One SSE event for a push frame. A payload spanning lines becomes several `data:` lines, as the
 * SSE spec joins them back with "\n" (EventSource clients get the exact payload).
 */
export const sseEvent = (frame: Reply[]): string => {
  const line = frame.map(text).join(',')
  return `data: ${line.replace(/\r\n|\r|\n/g, '\ndata: ')}\n\n`
}

/** An open stream the bridge can end when it drains. */
export interface OpenStream {
  end(): void
}

/**
 * Subscribes (rejecting as the upstream does when Valkey is unreachable) and returns the SSE body.
 *
 * @example
 * const body = await subscribeStream(upstream, 'subscribe', 'chat', metrics, streams)
 * return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
 */
export const subscribeStream = async (
  upstream: Upstream,
  kind: 'subscribe' | 'psubscribe',
  channel: string,
  metrics: Metrics,
  open: Set<OpenStream>,
): Promise<ReadableStream<Uint8Array>> => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let subscription: Subscription | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let ended = false
  const handle: OpenStream = {
    end() {
      if (ended) return
      ended = true
      open.delete(handle)
      metrics.openStreams--
      clearInterval(heartbeat)
      subscription?.close()
      try {
        controller.close()
      } catch {
        // already closed or cancelled by the client
      }
    },
  }
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
    cancel() {
      handle.end()
    },
  })
  const push = (chunk: string) => {
    if (!ended) controller.enqueue(encoder.encode(chunk))
  }
  open.add(handle)
  metrics.openStreams++
  try {
    subscription = await upstream.subscribe(kind, channel, {
      onFrame: (frame) => push(sseEvent(frame)),
      onEnd: () => handle.end(),
    })
  } catch (error) {
    handle.end()
    throw error
  }
  if (ended) {
    subscription.close()
    return stream
  }
  heartbeat = setInterval(() => push(': keep-alive\n\n'), HEARTBEAT_MS)
  return stream
}
