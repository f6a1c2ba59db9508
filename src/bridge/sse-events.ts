/**
 * The bytes of an SSE subscribe stream, in the Upstash shape: `data: message,<channel>,<payload>`
 * and `data: pmessage,<pattern>,<channel>,<payload>`, each event ended by a blank line.
 *
 * A message frame's event is built from the RESP bytes as they are (the names and payload copied
 * into the batch's buffer, no decoding): the same bytes the text path (`sseEvent`, decode then
 * encode) gives for valid UTF-8. For invalid UTF-8 the text path sends U+FFFD where the bytes path
 * sends the bytes themselves; a UTF-8 decoder turns those into the same U+FFFD, because every
 * part is framed by ASCII (`,` before, `,` or `\n` after) and a decoder ends a broken sequence at
 * an ASCII byte exactly as at the end of its input. A part holding CR or LF is split into several
 * `data:` lines as sseEvent splits it. Other frames (subscribe confirmations, and a message frame
 * the bridge's subscriber decoded because it came cut across reads past 64 KiB) take the text path.
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
const NEXT_LINE = encoder.encode('\ndata: ')

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

  /**
   * Appends the event of a message frame. A part holding CR or LF has each CRLF, CR or LF written
   * as "\ndata: ", as sseEvent splits the line: CR and LF are never inside a multi-byte UTF-8
   * sequence, and a part cannot end in a CRLF pair split by the `,` between parts, so this is
   * sseEvent's split done on bytes.
   */
  message(m: MessageRanges): void {
    const { buf, patternFrom, patternTo, channelFrom, channelTo, from, to } = m
    const pattern = patternFrom >= 0
    const breaks =
      nextBreak(buf, from, to) < to ||
      nextBreak(buf, channelFrom, channelTo) < channelTo ||
      (pattern && nextBreak(buf, patternFrom, patternTo) < patternTo)
    const head = pattern ? PMESSAGE : m.sharded ? SMESSAGE : MESSAGE
    let size = head.length + (patternTo - patternFrom) + 1 + (channelTo - channelFrom) + 1 + (to - from) + 2
    if (breaks) {
      const count =
        (pattern ? countBreaks(buf, patternFrom, patternTo) : 0) +
        countBreaks(buf, channelFrom, channelTo) +
        countBreaks(buf, from, to)
      size += count * (NEXT_LINE.length - 1)
    }
    this.#room(size, buf.length)
    const view = this.#viewOf(buf)
    const write = breaks ? putLines : put
    const out = this.#buf
    out.set(head, this.#length)
    let at = this.#length + head.length
    if (pattern) {
      at = write(out, at, buf, view, patternFrom, patternTo)
      out[at++] = 44
    }
    at = write(out, at, buf, view, channelFrom, channelTo)
    out[at++] = 44
    at = write(out, at, buf, view, from, to)
    out[at++] = 10
    out[at++] = 10
    this.#length = at
  }

  /** A plain view of the chunk read (kept for the chunk's next frames). */
  #viewOf(buf: Uint8Array): Uint8Array {
    if (buf !== this.#chunk) {
      this.#chunk = buf
      this.#view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
    }
    return this.#view
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

/**
 * Copies `view[from, to)` (a plain view of the chunk `_buf`) to `out` at `at`; short names byte by
 * byte, cheaper than a subarray.
 */
const put = (
  out: Uint8Array,
  at: number,
  _buf: Uint8Array,
  view: Uint8Array,
  from: number,
  to: number,
): number => {
  if (to - from > 32) out.set(view.subarray(from, to), at)
  else for (let i = from; i < to; i++) out[at + i - from] = view[i]!
  return at + to - from
}

/**
 * The first CR or LF in `buf[from, to)`, or `to`. Short names byte by byte; a payload by `indexOf`
 * on the chunk itself (a Node Buffer's is the fast one), whose search the CRLF that ends every
 * RESP blob stops right after it.
 */
const nextBreak = (buf: Uint8Array, from: number, to: number): number => {
  if (to - from <= 32) {
    for (let i = from; i < to; i++) if (buf[i] === 13 || buf[i] === 10) return i
    return to
  }
  const cr = buf.indexOf(13, from)
  const lf = buf.indexOf(10, from)
  const at = cr === -1 || cr > to ? to : cr
  return lf !== -1 && lf < at ? lf : at
}

/** How many line breaks (CRLF, CR or LF) `buf[from, to)` holds. */
const countBreaks = (buf: Uint8Array, from: number, to: number): number => {
  let n = 0
  for (let i = nextBreak(buf, from, to); i < to; i = nextBreak(buf, afterBreak(buf, i, to), to)) n++
  return n
}

/** Where the line after the break at `i` starts: past the LF of a CRLF pair. */
const afterBreak = (buf: Uint8Array, i: number, to: number): number =>
  buf[i] === 13 && i + 1 < to && buf[i + 1] === 10 ? i + 2 : i + 1

/** Copies `buf[from, to)` (read from `view`, a plain view of it) to `out` at `at`, each break as "\ndata: ". */
const putLines = (
  out: Uint8Array,
  at: number,
  buf: Uint8Array,
  view: Uint8Array,
  from: number,
  to: number,
): number => {
  let start = from
  for (let i = nextBreak(buf, from, to); i < to; i = nextBreak(buf, start, to)) {
    at = put(out, at, buf, view, start, i)
    out.set(NEXT_LINE, at)
    at += NEXT_LINE.length
    start = afterBreak(buf, i, to)
  }
  return put(out, at, buf, view, start, to)
}
