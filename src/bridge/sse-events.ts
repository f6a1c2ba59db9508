/**
 * The bytes of an SSE subscribe stream, in the Upstash shape: `data: message,<channel>,<payload>`
 * and `data: pmessage,<pattern>,<channel>,<payload>`, each event ended by a blank line.
 *
 * A message frame's event is built from the RESP bytes as they are (the names and payload copied
 * into the batch's buffer, no decoding): the same bytes the text path (`sseEvent`, decode then
 * encode) gives for valid UTF-8. For invalid UTF-8 the text path sends U+FFFD where the bytes path
 * sends the bytes themselves; a UTF-8 decoder turns those into the same U+FFFD, because every
 * part is framed by ASCII (`,` before, `,` or `\n` after) and a decoder ends a broken sequence at
 * an ASCII byte exactly as at the end of its input. A part holding CR or LF takes the text path,
 * which splits it into several `data:` lines.
 */
import type { MessageRanges } from '../client/tcp/message-frames.ts'
import type { Reply } from '../client/types.ts'

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }) // keep a value's leading U+FEFF
const encoder = new TextEncoder()

const text = (value: Reply): string =>
  value instanceof Uint8Array ? utf8.decode(value) : Array.isArray(value) ? '' : String(value ?? '')

/**
 * One SSE event for a push frame. A payload spanning lines becomes several `data:` lines, as the
 * SSE spec joins them back with "\n" (EventSource clients get the exact payload).
 *
 * @example
 * sseEvent(['subscribe', 'chat', 1]) // 'data: subscribe,chat,1\n\n'
 */
export const sseEvent = (frame: Reply[]): string => {
  const line = frame.map(text).join(',')
  return `data: ${line.replace(/\r\n|\r|\n/g, '\ndata: ')}\n\n`
}

const EMPTY: Uint8Array = new Uint8Array(0)
const MESSAGE = encoder.encode('data: message,')
const SMESSAGE = encoder.encode('data: smessage,')
const PMESSAGE = encoder.encode('data: pmessage,')

/**
 * A CR or LF in `buf[from, to)`. Short names byte by byte; a payload by `indexOf`, whose search
 * stops right after it, at the CRLF that ends every RESP blob.
 */
const breaksLine = (buf: Uint8Array, from: number, to: number): boolean => {
  if (to - from <= 32) {
    for (let i = from; i < to; i++) if (buf[i] === 13 || buf[i] === 10) return true
    return false
  }
  const cr = buf.indexOf(13, from)
  if (cr !== -1 && cr < to) return true
  const lf = buf.indexOf(10, from)
  return lf !== -1 && lf < to
}

/** The frame a message's ranges describe, for the text path (views: it is decoded at once). */
const frameOf = (m: MessageRanges): Reply[] => {
  const part = (from: number, to: number) => m.buf.subarray(from, to)
  const channel = part(m.channelFrom, m.channelTo)
  const payload = part(m.from, m.to)
  if (m.patternFrom >= 0) return ['pmessage', part(m.patternFrom, m.patternTo), channel, payload]
  return [m.sharded ? 'smessage' : 'message', channel, payload]
}

/**
 * The events of one batch, as bytes, written into a buffer of the batch's own that `take()` hands
 * out as it is (no copy). A batch holds the events of one read from Valkey, and a message's event
 * is shorter than its RESP frame, so the buffer is sized to the read: it fits without growing, and
 * the events nearly fill it.
 *
 * @example
 * const batch = new SseBatch()
 * batch.text(': keep-alive\n\n')
 * controller.enqueue(batch.take())
 */
export class SseBatch {
  #buf: Uint8Array = EMPTY
  #length = 0
  /** The last chunk read, and a plain view of it: a Node Buffer's `subarray` costs more. */
  #chunk: Uint8Array | undefined
  #view: Uint8Array = EMPTY

  get empty(): boolean {
    return this.#length === 0
  }

  /** Appends an event given as text. */
  text(event: string): void {
    this.#room(event.length * 3, 0)
    this.#length += encoder.encodeInto(event, this.#buf.subarray(this.#length)).written
  }

  /** Appends the event of a message frame. */
  message(m: MessageRanges): void {
    const { buf, patternFrom, patternTo, channelFrom, channelTo, from, to } = m
    const pattern = patternFrom >= 0
    if (
      breaksLine(buf, from, to) ||
      breaksLine(buf, channelFrom, channelTo) ||
      (pattern && breaksLine(buf, patternFrom, patternTo))
    ) {
      this.text(sseEvent(frameOf(m)))
      return
    }
    const head = pattern ? PMESSAGE : m.sharded ? SMESSAGE : MESSAGE
    const size = head.length + (patternTo - patternFrom) + 1 + (channelTo - channelFrom) + 1 + (to - from) + 2
    this.#room(size, buf.length)
    if (buf !== this.#chunk) {
      this.#chunk = buf
      this.#view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
    }
    const view = this.#view
    const out = this.#buf
    out.set(head, this.#length)
    let at = this.#length + head.length
    if (pattern) {
      at = put(out, at, view, patternFrom, patternTo)
      out[at++] = 44
    }
    at = put(out, at, view, channelFrom, channelTo)
    out[at++] = 44
    at = put(out, at, view, from, to)
    out[at++] = 10
    out[at++] = 10
    this.#length = at
  }

  /** The batch's bytes, leaving it empty. */
  take(): Uint8Array {
    // Mostly the events nearly fill the buffer; one far smaller is copied so the buffer can go.
    const bytes =
      this.#length * 2 < this.#buf.length
        ? this.#buf.slice(0, this.#length)
        : this.#buf.subarray(0, this.#length)
    this.#buf = EMPTY
    this.#length = 0
    this.#chunk = undefined // the chunk can go
    this.#view = EMPTY
    return bytes
  }

  /** Room for `more` bytes; a new buffer is at least `hint` long (the chunk being read). */
  #room(more: number, hint: number): void {
    const need = this.#length + more
    if (need <= this.#buf.length) return
    const grown = new Uint8Array(Math.max(need, hint, this.#buf.length * 2))
    grown.set(this.#buf.subarray(0, this.#length))
    this.#buf = grown
  }
}

/** Copies `buf[from, to)` to `out` at `at`; short names byte by byte, cheaper than a subarray. */
const put = (out: Uint8Array, at: number, buf: Uint8Array, from: number, to: number): number => {
  if (to - from > 32) out.set(buf.subarray(from, to), at)
  else for (let i = from; i < to; i++) out[at + i - from] = buf[i]!
  return at + to - from
}
