/**
 * `/subscribe/<channel>` and `/psubscribe/<pattern>` as Server-Sent Events, in the Upstash shape
 * `@upstash/redis` reads: `data: subscribe,chat,1`, `data: message,chat,hello`,
 * `data: pmessage,chat:*,chat:1,hello`. Payloads are never base64-encoded. Each stream has its own
 * upstream connection, closed when the client goes away (the stream is cancelled) or the bridge
 * drains. A comment line every 15 s keeps proxies from timing the stream out.
 */
import type { Metrics } from './metrics.ts'
import { SseBatch, sseEvent } from './sse-events.ts'
import type { Subscription, Upstream } from './upstream.ts'

const HEARTBEAT_MS = 15_000

/** An open stream the bridge can end when it drains. */
export interface OpenStream {
  end(): void
}

/** Bytes queued for a reader before the Valkey connection stops being read. */
const HIGH_WATER = 64 * 1024

/** The default of `--max-stream-buffer`: most bytes one stream holds for a slow reader. */
export const DEFAULT_MAX_STREAM_BUFFER = 4 * 1024 * 1024

/**
 * The last event of a stream the bridge ends. `error,<channel>,…` has the shape of the other events,
 * so `@upstash/redis` hands it to its subscriber's `error` listeners; an EventSource fires `error`.
 */
const finalError = (channel: string, message: string): string =>
  `event: error\ndata: error,${channel.replace(/\r\n|\r|\n/g, ' ')},ERR ${message}\n\n`

/**
 * Subscribes (rejecting as the upstream does when Valkey is unreachable) and returns the SSE body.
 *
 * The body is read at the reader's pace: past HIGH_WATER queued bytes the Valkey connection is
 * paused, so a slow reader leaves the backlog in Valkey, where `client-output-buffer-limit pubsub`
 * ends it. A frame that would take the queue past `maxBuffer` ends the stream at once. Either way
 * the stream closes with a final `event: error` and the subscription is dropped.
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
  maxBuffer: number = DEFAULT_MAX_STREAM_BUFFER,
): Promise<ReadableStream<Uint8Array>> => {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let subscription: Subscription | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let ended = false
  let paused = false
  // Events are batched per turn of the event loop: one Valkey read holds many frames, and one
  // enqueue for all of them is one write and one read on the other side, not one per message.
  const batch = new SseBatch()
  /** Ends the stream; `last`, when given, is the final event the reader gets. */
  const finish = (last?: string): void => {
    if (ended) return
    ended = true
    open.delete(handle)
    metrics.openStreams--
    clearInterval(heartbeat)
    subscription?.close()
    try {
      // What was batched before the end still goes out, ahead of the final event.
      if (last !== undefined) batch.text(last)
      if (!batch.empty) controller.enqueue(batch.take())
      controller.close()
    } catch {
      // already closed or cancelled by the client
    }
  }
  const handle: OpenStream = { end: () => finish() }
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
      },
      // The reader took the queue below HIGH_WATER: read Valkey again.
      pull() {
        if (!paused) return
        paused = false
        subscription?.resume?.()
      },
      cancel() {
        finish()
      },
    },
    { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength },
  )
  const flush = (): void => {
    if (ended || batch.empty) return
    const bytes = batch.take()
    const queued = HIGH_WATER - (controller.desiredSize ?? 0)
    if (queued + bytes.length > maxBuffer) {
      finish(
        finalError(
          channel,
          `the subscriber fell behind: over ${maxBuffer} bytes waited to be sent, so the stream was ended; resubscribe (the limit is --max-stream-buffer)`,
        ),
      )
      return
    }
    controller.enqueue(bytes)
    if (!paused && (controller.desiredSize ?? 0) <= 0) {
      paused = true
      subscription?.pause?.()
    }
  }
  /** Whether the stream takes another event; the first of a batch schedules its flush. */
  const taking = (): boolean => {
    if (ended) return false
    if (batch.empty) queueMicrotask(flush)
    return true
  }
  const push = (event: string) => {
    if (taking()) batch.text(event)
  }
  open.add(handle)
  metrics.openStreams++
  try {
    subscription = await upstream.subscribe(kind, channel, {
      onFrame: (frame) => push(sseEvent(frame)),
      onMessage(message) {
        if (taking()) batch.message(message)
      },
      // Not asked for by the bridge (that sets `ended` first): Valkey closed it, or it broke.
      onEnd: () =>
        finish(
          finalError(
            channel,
            'Valkey ended the subscription (it drops a subscriber that falls behind its client-output-buffer-limit for pubsub); resubscribe',
          ),
        ),
    })
  } catch (error) {
    finish()
    throw error
  }
  if (ended) {
    subscription.close()
    return stream
  }
  if (paused) subscription.pause?.()
  // A keep-alive only when the reader keeps up: a stalled one needs no more bytes queued.
  heartbeat = setInterval(() => {
    if ((controller.desiredSize ?? 0) > 0) push(': keep-alive\n\n')
  }, HEARTBEAT_MS)
  return stream
}
