/**
 * A fast path for the frames that make up nearly all of a subscriber connection's traffic:
 * `*3 $7 message <channel> <payload>` (`>3` under RESP3), `smessage`, and `*4 $8 pmessage
 * <pattern> <channel> <payload>`, each reported with its kind (an `smessage` belongs to a shard
 * channel, apart from the classic channel of its name). They are read straight from the chunk,
 * without the general decoder's frame stack and per-item arrays; anything else (confirmations,
 * PONG, errors, a frame that does not look right) goes to the general decoder, which also owns the
 * error reporting.
 * A message frame cut by the chunk's end is held (up to `HOLD_MAX` bytes) and completed from the
 * next chunk; a longer one is left to the general decoder.
 */
import { MAX_BULK_LENGTH, type RespDecoder, utf8Text } from '../../resp/decode.ts'
import { concatBytes } from '../../resp/encode.ts'

export type OnMessage = (
  channel: string,
  message: string | Uint8Array,
  pattern: string | undefined,
  sharded: boolean,
) => void

/** Longest partial frame held back for the fast path; a longer one goes to the general decoder. */
const HOLD_MAX = 64 * 1024
/** How much of the next chunk is joined to a held frame to complete it (most frames are short). */
const HEAD = 4096
/** Not a message frame (or malformed): let the general decoder read it. */
const OTHER = -1
/** A message frame so far, cut by the end of the bytes. */
const PARTIAL = -2

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const MESSAGE = ascii('$7\r\nmessage\r\n')
const SMESSAGE = ascii('$8\r\nsmessage\r\n')
const PMESSAGE = ascii('$8\r\npmessage\r\n')
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })
const EMPTY = new Uint8Array(0)
/** A plain copy: Node's `Buffer#slice` would share the socket's memory and keep its subclass. */
const copy = (buf: Uint8Array, from: number, to?: number): Uint8Array =>
  new Uint8Array(buf.subarray(from, to))

/** `word` at `pos`: its end, OTHER on a difference, PARTIAL when the bytes stop short. */
const expect = (buf: Uint8Array, pos: number, word: Uint8Array): number => {
  const n = Math.min(word.length, buf.length - pos)
  for (let i = 0; i < n; i++) if (buf[pos + i] !== word[i]) return OTHER
  return n === word.length ? pos + n : PARTIAL
}

export class MessageFrames {
  readonly #decoder: RespDecoder
  readonly #onMessage: OnMessage
  readonly #bytes: boolean
  #held: Uint8Array | undefined
  /** The last channel [0] and pattern [1] read, and their bytes: most traffic repeats a few names. */
  readonly #names = ['', '']
  readonly #nameBytes: Uint8Array[] = [EMPTY, EMPTY]
  /** Set by #bulk: where the blob it read starts and ends. */
  #from = 0
  #to = 0

  constructor(decoder: RespDecoder, onMessage: OnMessage, bytes: boolean) {
    this.#decoder = decoder
    this.#onMessage = onMessage
    this.#bytes = bytes
  }

  feed(chunk: Uint8Array): void {
    const held = this.#held
    if (held === undefined) {
      this.#scan(chunk, 0)
      return
    }
    this.#held = undefined
    // Complete the held frame from the chunk's head, rather than copying the whole chunk.
    const take = Math.min(chunk.length, HEAD)
    const head = concatBytes([held, chunk.subarray(0, take)], held.length + take)
    const next = this.#decoder.busy ? OTHER : this.#frame(head, 0)
    if (next >= 0) this.#scan(chunk, next - held.length)
    else this.#scan(take === chunk.length ? head : concatBytes([held, chunk], held.length + chunk.length), 0)
  }

  /** Reads message frames from `pos`; hands the rest from the first other frame to the decoder. */
  #scan(buf: Uint8Array, from: number): void {
    if (this.#decoder.busy) {
      this.#decoder.feed(from === 0 ? buf : buf.subarray(from))
      return
    }
    const end = buf.length
    let pos = from
    while (pos < end) {
      const next = this.#frame(buf, pos)
      if (next >= 0) {
        pos = next
        continue
      }
      if (next === PARTIAL && end - pos <= HOLD_MAX) {
        this.#held = copy(buf, pos)
        return
      }
      break
    }
    if (pos < end) this.#decoder.feed(pos === 0 ? buf : buf.subarray(pos))
  }

  /** One message frame at `pos`, delivered: the position after it, or OTHER / PARTIAL. */
  #frame(buf: Uint8Array, pos: number): number {
    const end = buf.length
    if (pos + 4 > end) return PARTIAL
    const type = buf[pos]
    const count = buf[pos + 1]
    if ((type !== 42 && type !== 62) || buf[pos + 2] !== 13 || buf[pos + 3] !== 10) return OTHER
    let at = pos + 4
    // *3: message or smessage (`$8`), kept apart: a shard channel is not the classic one of its name.
    const sharded = count === 51 && buf[at + 1] === 56
    if (count === 51) at = expect(buf, at, sharded ? SMESSAGE : MESSAGE)
    else if (count === 52) at = expect(buf, at, PMESSAGE)
    else return OTHER
    if (at < 0) return at
    let pattern: string | undefined
    if (count === 52) {
      at = this.#bulk(buf, at)
      if (at < 0) return at
      pattern = this.#text(1, buf, this.#from, this.#to)
    }
    at = this.#bulk(buf, at)
    if (at < 0) return at
    const channelFrom = this.#from
    const channelTo = this.#to
    at = this.#bulk(buf, at)
    if (at < 0) return at
    const channel = this.#text(0, buf, channelFrom, channelTo)
    const message = this.#bytes
      ? copy(buf, this.#from, this.#to)
      : this.#to - this.#from === 0
        ? ''
        : utf8Text(buf, this.#from, this.#to)
    this.#onMessage(channel, message, pattern, sharded)
    return at
  }

  /** A blob string `$<n>\r\n<bytes>\r\n` at `pos`: sets #from/#to, returns the position after it. */
  #bulk(buf: Uint8Array, pos: number): number {
    const end = buf.length
    if (pos >= end) return PARTIAL
    if (buf[pos] !== 36) return OTHER
    let at = pos + 1
    let length = 0
    for (;;) {
      if (at >= end) return PARTIAL
      const byte = buf[at]!
      if (byte === 13) break
      const digit = byte - 48
      if (digit < 0 || digit > 9 || at - pos > 10) return OTHER
      length = length * 10 + digit
      at++
    }
    if (at === pos + 1 || length > MAX_BULK_LENGTH) return OTHER
    if (at + 1 >= end) return PARTIAL
    if (buf[at + 1] !== 10) return OTHER
    const from = at + 2
    const to = from + length
    if (to + 2 > end) return PARTIAL
    if (buf[to] !== 13 || buf[to + 1] !== 10) return OTHER
    this.#from = from
    this.#to = to
    return to + 2
  }

  /** A channel or pattern name, reusing the last string when the bytes are the same. */
  #text(slot: number, buf: Uint8Array, from: number, to: number): string {
    const last = this.#nameBytes[slot]!
    if (last.length === to - from) {
      let same = true
      for (let i = 0; i < last.length; i++) {
        if (last[i] !== buf[from + i]) {
          same = false
          break
        }
      }
      if (same) return this.#names[slot]!
    }
    const bytes = copy(buf, from, to)
    this.#nameBytes[slot] = bytes
    this.#names[slot] = utf8.decode(bytes)
    return this.#names[slot]!
  }
}
