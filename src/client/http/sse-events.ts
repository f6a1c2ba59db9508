/**
 * Reads the Server-Sent Events of one subscribe stream (the bridge's and Upstash's contract) from
 * the body's byte chunks. Nearly every event is one line, `data: message,<channel>,<payload>`, and
 * the bridge writes many of them per chunk: those are found with `startsWith` at the event start
 * and one `indexOf('\n')`, and cost one `slice` each. Anything else (a payload on several `data:`
 * lines, CRLF line ends, comments, `event:` fields, the subscribe confirmation) goes line by line
 * as the SSE spec reads it (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * NOTE: a bare CR is not taken as a line end; the bridge and Upstash end lines with LF.
 */
import { TransportError } from '../../errors.ts'
import { utf8Text } from '../../resp/decode.ts'
import { concatBytes } from '../../resp/encode.ts'
import type { SubscriberHandlers } from '../types.ts'

/**
 * Most characters one event may hold before its end arrives: a stream that never ends its line
 * (or its event) is dropped instead of growing without bound. The bridge ends a stream whose
 * reader falls 4 MiB behind (`--max-stream-buffer`), so no event it sends comes near this.
 */
export const MAX_EVENT_CHARS = 64 * 1024 * 1024

const tooLong = (): never => {
  throw new TransportError(
    `an event of the stream grew past ${MAX_EVENT_CHARS} characters without its end; the stream was dropped`,
  )
}

/** Where the last complete UTF-8 character of `bytes` ends (a chunk may cut one). */
const completeUpTo = (bytes: Uint8Array): number => {
  const end = bytes.length
  for (let at = end - 1; at >= 0 && at >= end - 4; at--) {
    const byte = bytes[at]!
    if (byte < 0x80) return end
    if (byte < 0xc0) continue // a continuation byte: look further back for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2
    return at + length > end ? at : end
  }
  return end // invalid: let the decoder put U+FFFD where it belongs
}

export class SseEvents {
  readonly #kind: 'subscribe' | 'psubscribe'
  readonly #name: string
  readonly #handlers: Pick<SubscriberHandlers, 'onMessage'>
  readonly #onConfirm: () => void
  /** `data: message,<name>,` (or `pmessage`): the start of nearly every event. */
  readonly #fast: string
  readonly #messagePrefix: string
  readonly #confirmPrefix: string
  /** The bytes of a character cut by the chunk's end. */
  #bytes: Uint8Array | undefined
  /** An unfinished line, completed by the next chunk. */
  #line = ''
  /** The `data:` lines of the event so far (an event that did not take the fast path). */
  #data: string[] = []
  /** Their characters, with the unfinished line's. */
  #held = 0
  /** The bridge's last word before it ends a stream (`event: error`). */
  ended: string | undefined

  constructor(
    kind: 'subscribe' | 'psubscribe',
    name: string,
    handlers: Pick<SubscriberHandlers, 'onMessage'>,
    onConfirm: () => void,
  ) {
    this.#kind = kind
    this.#name = name
    this.#handlers = handlers
    this.#onConfirm = onConfirm
    this.#messagePrefix = kind === 'subscribe' ? `message,${name},` : `pmessage,${name},`
    this.#confirmPrefix = `${kind},${name},`
    this.#fast = `data: ${this.#messagePrefix}`
  }

  /** Reads one chunk of the body. */
  feed(chunk: Uint8Array): void {
    let bytes = chunk
    if (this.#bytes !== undefined) {
      bytes = concatBytes([this.#bytes, chunk], this.#bytes.length + chunk.length)
      this.#bytes = undefined
    }
    const cut = completeUpTo(bytes)
    if (cut < bytes.length) this.#bytes = bytes.slice(cut)
    // Each chunk decoded whole, not with `stream: true` (in Node 20 that path costs ~8× the plain one).
    if (cut > 0) this.#text(utf8Text(bytes, 0, cut))
  }

  #text(text: string): void {
    let pos = 0
    if (this.#line !== '') {
      const newline = text.indexOf('\n')
      // Still no line end: keep the pieces (joined lazily by the engine), scan nothing twice.
      if (newline === -1) {
        this.#line += text
        if (this.#held + this.#line.length > MAX_EVENT_CHARS) tooLong()
        return
      }
      const line = this.#line + text.slice(0, newline)
      this.#line = ''
      this.#field(line, 0, line.length)
      pos = newline + 1
    }
    const fast = this.#fast
    const skip = fast.length
    const length = text.length
    // Where `fast` next occurs: asked again only once `pos` has passed it, so no character is
    // searched twice (and `indexOf` answers at once at an event start; `startsWith(fast, pos)`
    // costs ~2.5x as much in V8).
    let next = -1
    while (pos < length) {
      if (next < pos && next !== length) {
        next = text.indexOf(fast, pos)
        if (next === -1) next = length
      }
      if (next === pos && this.#data.length === 0) {
        const newline = text.indexOf('\n', pos + skip)
        // A whole one-line event, LF-ended: the payload is one slice.
        if (newline !== -1 && text.charCodeAt(newline + 1) === 10 && text.charCodeAt(newline - 1) !== 13) {
          this.#message(text.slice(pos + skip, newline))
          pos = newline + 2
          continue
        }
      }
      const newline = text.indexOf('\n', pos)
      if (newline === -1) {
        this.#line = text.slice(pos)
        if (this.#held + this.#line.length > MAX_EVENT_CHARS) tooLong()
        return
      }
      this.#field(text, pos, newline)
      pos = newline + 1
    }
  }

  /** One line `text[from, to)` (its LF excluded) of an event that did not take the fast path. */
  #field(text: string, from: number, to: number): void {
    const end = to > from && text.charCodeAt(to - 1) === 13 ? to - 1 : to
    if (end === from) {
      // A blank line ends the event.
      const data = this.#data
      if (data.length === 0) return
      this.#data = []
      this.#held = 0
      this.#event(data.length === 1 ? data[0]! : data.join('\n'))
    } else if (text.startsWith('data', from)) {
      const colon = from + 4
      if (colon !== end && text.charCodeAt(colon) !== 58) return
      const line = colon === end ? '' : text.slice(colon + (text.charCodeAt(colon + 1) === 32 ? 2 : 1), end)
      this.#held += line.length + 1
      if (this.#held > MAX_EVENT_CHARS) tooLong()
      this.#data.push(line)
    }
    // Comments (`: keep-alive`), `event:`, `id:` and `retry:` carry nothing the reader needs.
  }

  #event(text: string): void {
    if (text.startsWith(this.#messagePrefix)) this.#message(text.slice(this.#messagePrefix.length))
    else if (text.startsWith(this.#confirmPrefix)) this.#onConfirm()
    else if (text.startsWith('error,')) this.ended = text.slice(text.indexOf(',', 6) + 1)
  }

  /** A message event's text after `message,<name>,` (or `pmessage,<pattern>,`). */
  #message(rest: string): void {
    // Text only: SSE carries no bytes (the pub/sub layer encodes for `bytes: true`).
    if (this.#kind === 'subscribe') {
      this.#handlers.onMessage(this.#name, rest)
      return
    }
    const comma = rest.indexOf(',')
    this.#handlers.onMessage(rest.slice(0, comma), rest.slice(comma + 1), this.#name)
  }
}
