/**
 * A response body read from a socket as a `ReadableStream`: HTTP/1.1 chunked framing taken off
 * (RFC 9112 §7.1), a Content-Length body, or one that ends when the server closes. The data of a
 * socket read goes on as views of that read, never copied. When the stream's queue is full the
 * socket is paused, so a reader that stops reading leaves the bytes in the kernel's buffers.
 */
import type { Socket } from 'node:net'
import { ChunkedDecoder } from './chunked.ts'

/** `chunked`, the Content-Length, or `close` (the body ends with the connection). */
export type Framing = 'chunked' | number | 'close'

/** Chunks queued before the socket is paused. */
const HIGH_WATER = 4

export class ResponseBody {
  readonly stream: ReadableStream<Uint8Array>
  readonly #socket: Socket
  readonly #framing: Framing
  #controller!: ReadableStreamDefaultController<Uint8Array>
  /** Bytes left of a Content-Length body. */
  #left: number
  readonly #chunks = new ChunkedDecoder()
  #done = false
  /** Why the body broke, raised once the reader has had what arrived before. */
  #failure: unknown

  constructor(socket: Socket, framing: Framing) {
    this.#socket = socket
    this.#framing = framing
    this.#left = typeof framing === 'number' ? framing : 0
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: (controller) => {
          if (this.#failure !== undefined) {
            if (controller.desiredSize === HIGH_WATER) controller.error(this.#failure)
          } else if (socket.isPaused()) socket.resume()
        },
        cancel: () => {
          this.#done = true
          socket.destroy()
        },
      },
      { highWaterMark: HIGH_WATER },
    )
    if (framing === 0) this.#end()
  }

  feed(data: Buffer): void {
    if (this.#done) return
    if (this.#framing === 'close') this.#emit(data)
    else if (this.#framing === 'chunked') this.#chunked(data)
    else {
      const take = Math.min(this.#left, data.length)
      this.#emit(data.subarray(0, take))
      this.#left -= take
      if (this.#left === 0) this.#end()
    }
  }

  /** The connection closed: the end of a `close` body, an error for any other unfinished one. */
  closed(error: unknown): void {
    if (this.#done) return
    if (error === undefined && this.#framing === 'close') {
      this.#end()
      return
    }
    this.#error(error ?? new TypeError('terminated: the server closed the connection mid-body'))
  }

  #chunked(data: Buffer): void {
    let end: number
    try {
      end = this.#chunks.feed(data, 0, (view) => this.#emit(view))
    } catch (error) {
      this.#error(error)
      this.#socket.destroy()
      return
    }
    if (end !== -1) this.#end()
  }

  #emit(view: Uint8Array): void {
    if (view.length === 0) return
    this.#controller.enqueue(view)
    if ((this.#controller.desiredSize ?? 1) <= 0) this.#socket.pause()
  }

  #end(): void {
    this.#done = true
    this.#controller.close()
    this.#socket.end()
  }

  /** Ends the body with `error`, after the chunks already queued (erroring now would drop them). */
  #error(error: unknown): void {
    this.#done = true
    if (this.#controller.desiredSize === HIGH_WATER) this.#controller.error(error)
    else this.#failure = error
  }
}
