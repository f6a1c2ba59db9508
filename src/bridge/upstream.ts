/**
 * What the bridge needs from Valkey: a pipelined command connection (one command, or a batch
 * that leaves in one contiguous write with its replies in order) and dedicated subscriber
 * connections for the SSE streams.
 */

import type { MessageRanges } from '../client/tcp/message-frames.ts'
import type { Reply } from '../client/types.ts'
import type { ReplyError } from '../errors.ts'
import type { BridgeArg } from './request.ts'

export interface UpstreamOptions {
  /** Return bulk strings as bytes (needed for exact base64). */
  bytes: boolean
  /** Give up after this many ms with a TimeoutError. */
  timeout: number
  /** Run as the read-only token class's Valkey user. */
  readOnly?: boolean
}

/** One upstream connection that failed a readiness check. */
export interface UpstreamCheck {
  /** Which connection: its Valkey user (and node), never a secret. */
  who: string
  error: unknown
}

/** One open subscription; `close()` unsubscribes and closes its connection. */
export interface Subscription {
  close(): void
  /** Stop reading the connection (Valkey then buffers, up to its pubsub output limit). */
  pause?(): void
  /** Read again after `pause()`. */
  resume?(): void
}

export interface SubscribeHandlers {
  /**
   * A decoded push frame: `['subscribe', ch, 1]`, or a `message`/`pmessage` frame that `onMessage`
   * did not take (one over 64 KiB cut across reads, or one after another kind of frame in a read).
   */
  onFrame(frame: Reply[]): void
  /** A `message` or `pmessage` frame, as where its parts lie in the bytes read (valid during the call). */
  onMessage(message: MessageRanges): void
  /** The connection ended (with the error, when it broke). */
  onEnd(error?: Error): void
}

export interface Upstream {
  /** Rejects with ReplyError (server said no), TransportError (unreachable), TimeoutError. */
  send(command: BridgeArg[], options: UpstreamOptions): Promise<Reply>
  /** Each entry is the reply or its ReplyError; rejects only when the batch as a whole fails. */
  pipeline(commands: BridgeArg[][], options: UpstreamOptions): Promise<Array<Reply | ReplyError>>
  /** Opens a dedicated connection subscribed to one channel (or pattern). */
  subscribe(
    kind: 'subscribe' | 'psubscribe',
    channel: string,
    handlers: SubscribeHandlers,
  ): Promise<Subscription>
  /** PINGs every upstream connection; resolves with the ones that failed (none: ready). */
  check?(): Promise<UpstreamCheck[]>
  /** Closes every connection; commands already sent are answered first. */
  close(): Promise<void>
}
