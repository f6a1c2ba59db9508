/**
 * A response body read from a socket as a `ReadableStream`: HTTP/1.1 chunked framing taken off
 * (RFC 9112 §7.1), a Content-Length body, or one that ends when the server closes. The data of a
 * socket read goes on as views of that read, never copied. When the stream's queue is full the
 * socket is paused, so a reader that stops reading leaves the bytes in the kernel's buffers.
 */
import type { Socket } from 'node:net'

/** `chunked`, the Content-Length, or `close` (the body ends with the connection). */
export type Framing = 'chunked' | number | 'close'

/** Chunks queued before the socket is paused. */
const HIGH_WATER = 4

export class ResponseBody {
  readonly stream: ReadableStream<Uint8Array>
  readonly #socket: Socket
  readonly #framing: Framing
  #controller!: ReadableStreamDefaultController<Uint8Array>
  /** Bytes left in the current chunk (or the whole Content-Length body). */
  #left: number
  /** A chunk-size line (or the CRLF after a chunk's data) cut by the read's end. */
  #line = ''
  #afterData = false
  #trailers = false
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
    let pos = 0
    while (pos < data.length && !this.#done) {
      if (this.#left > 0) {
        const take = Math.min(this.#left, data.length - pos)
        this.#emit(data.subarray(pos, pos + take))
        pos += take
        this.#left -= take
        this.#afterData = this.#left === 0
        continue
      }
      const lf = data.indexOf(10, pos)
      if (lf === -1) {
        this.#line += data.toString('latin1', pos)
        if (this.#line.length > 4096) this.#fail('a chunk-size line longer than 4 KiB')
        return
      }
      const line = (this.#line + data.toString('latin1', pos, lf)).replace(/\r$/, '')
      this.#line = ''
      pos = lf + 1
      if (this.#afterData) {
        this.#afterData = false
        if (line !== '') this.#fail('no CRLF after a chunk')
      } else if (this.#trailers) {
        if (line === '') this.#end()
      } else {
        // Chunk extensions (`;name=value`) carry nothing we use.
        const size = /^[0-9a-fA-F]{1,12}/.exec(line)?.[0]
        if (size === undefined) {
          this.#fail(`a bad chunk size: ${line.slice(0, 40)}`)
          return
        }
        this.#left = Number.parseInt(size, 16)
        this.#trailers = this.#left === 0
      }
    }
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

  #fail(why: string): void {
    this.#error(new TypeError(`terminated: ${why}`))
    this.#socket.destroy()
  }

  /** Ends the body with `error`, after the chunks already queued (erroring now would drop them). */
  #error(error: unknown): void {
    this.#done = true
    if (this.#controller.desiredSize === HIGH_WATER) this.#controller.error(error)
    else this.#failure = error
  }
}
