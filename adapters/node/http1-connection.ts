/**
 * One keep-alive HTTP/1.1 connection that carries one request at a time: writes the request in a
 * single write and parses the response (Content-Length or chunked) straight from the socket's
 * buffers. It is all `nodeFetch()` needs, without node:http's per-request objects and streams.
 */
import type { Socket } from 'node:net'
import { ChunkedDecoder } from './chunked.ts'
import { parseHead } from './http1.ts'

export interface RawResponse {
  readonly status: number
  /** Header names in lowercase; repeated headers joined with ", ". */
  readonly headers: Map<string, string>
  readonly body: string
}

interface Pending {
  resolve(response: RawResponse): void
  reject(error: Error): void
}

/** Thrown (as a `cause`) when the server closes the connection before the response is complete. */
const closedEarly = (): Error =>
  Object.assign(new Error('the server closed the connection before answering'), { code: 'ECONNRESET' })

export class Http1Connection {
  readonly #socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  #pending: Pending | undefined
  #head: { status: number; headers: Map<string, string>; start: number } | undefined
  /** False once the connection cannot carry another request (closed, `Connection: close`, error). */
  reusable = true
  /** The server's keep-alive hint in ms (`Keep-Alive: timeout=N`), when it sent one. */
  keepAliveMs: number | undefined
  onClose: (() => void) | undefined
  /** The response has neither length nor chunks: its body ends when the server closes. */
  #untilClose = false

  constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
      this.#parse()
    })
    socket.on('error', (error) => this.#fail(error))
    socket.on('close', () => {
      if (this.#untilClose && this.#head && this.#pending) this.#complete(this.#buffer.length)
      this.#fail(closedEarly())
    })
  }

  /** Sends one request (`head` ends with the blank line) and resolves with the whole response. */
  request(head: string, body: Buffer): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject }
      this.#socket.write(body.length > 0 ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : head)
    })
  }

  /** Keeps (or stops keeping) the process alive for this socket: idle connections should not. */
  ref(on: boolean): void {
    if (on) this.#socket.ref()
    else this.#socket.unref()
  }

  /** Closes the connection; a request in flight fails with `reason`. */
  destroy(reason?: Error): void {
    this.reusable = false
    if (reason) this.#fail(reason)
    this.#socket.destroy()
  }

  #fail(error: Error): void {
    this.reusable = false
    const pending = this.#pending
    this.#pending = undefined
    pending?.reject(error)
    if (!this.#socket.destroyed) this.#socket.destroy()
    const onClose = this.onClose
    this.onClose = undefined
    onClose?.()
  }

  #parse(): void {
    if (!this.#pending) {
      this.destroy(new Error('unexpected bytes from the server'))
      return
    }
    if (!this.#head) {
      let head: ReturnType<typeof parseHead>
      try {
        head = parseHead(this.#buffer)
      } catch (error) {
        this.destroy(error as Error)
        return
      }
      if (head === undefined) return
      this.#head = { status: head.status, headers: head.headers, start: head.bodyStart }
    }
    const { status, headers, start } = this.#head
    let body: Buffer | undefined
    let consumed = 0
    if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
      // The whole buffer is read again on each arrival: responses here are short.
      const parts: Buffer[] = []
      try {
        consumed = new ChunkedDecoder().feed(this.#buffer, start, (view) => parts.push(view))
      } catch (error) {
        this.destroy(error as Error)
        return
      }
      if (consumed === -1) return
      body = parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    } else {
      const declared = headers.get('content-length')
      const length = status === 204 || status === 304 ? 0 : Number(declared ?? Number.NaN)
      if (declared === undefined && length !== 0) {
        // Neither a length nor chunks: the body runs to the end of the connection (RFC 9112 6.3).
        this.#untilClose = true
        this.reusable = false
        return
      }
      if (!Number.isSafeInteger(length) || length < 0) {
        this.destroy(new Error('malformed Content-Length'))
        return
      }
      if (this.#buffer.length < start + length) return
      body = this.#buffer.subarray(start, start + length)
      consumed = start + length
    }
    this.#resolve(body, consumed)
  }

  /** Ends a read-to-close response at the bytes received so far. */
  #complete(end: number): void {
    this.#untilClose = false
    this.#resolve(this.#buffer.subarray(this.#head!.start, end), end)
  }

  #resolve(body: Buffer, consumed: number): void {
    const { status, headers } = this.#head!
    const pending = this.#pending!
    this.#pending = undefined
    this.#head = undefined
    const text = body.toString('utf8')
    this.#buffer = this.#buffer.subarray(consumed)
    if (/close/i.test(headers.get('connection') ?? '')) this.reusable = false
    const hint = /timeout=(\d+)/i.exec(headers.get('keep-alive') ?? '')
    if (hint) this.keepAliveMs = Number(hint[1]) * 1000
    pending.resolve({ status, headers, body: text })
  }
}
