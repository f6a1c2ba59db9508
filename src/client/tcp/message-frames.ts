/**
 * A fast path for the frames that make up nearly all of a subscriber connection's traffic:
 * `*3 $7 message <channel> <payload>` (`>3` under RESP3), `smessage`, and `*4 $8 pmessage
 * <pattern> <channel> <payload>`, each reported with its kind (an `smessage` belongs to a shard
 * channel, apart from the classic channel of its name). They are read straight from the chunk,
 * without the general decoder's frame stack and per-item arrays, and handed on as where their
 * parts lie in the chunk
 * (`textMessages` turns that into strings, the bridge's SSE writer copies the bytes as they are);
 * anything else (confirmations, PONG, errors, a frame that does not look right) goes to the
 * general decoder, which also owns the error reporting. A message frame cut by the chunk's end is
 * held (up to `HOLD_MAX` bytes) and completed from the next chunk; a longer one is left to the
 * general decoder.
 */
import { MAX_BULK_LENGTH, type RespDecoder, utf8Text } from '../../resp/decode.ts'
import { concatBytes } from '../../resp/encode.ts'

export type OnMessage = (
  channel: string,
  message: string | Uint8Array,
  pattern: string | undefined,
  sharded: boolean,
) => void

/**
 * Where the parts of one message frame lie in `buf`. One object is reused for every frame, and
 * `buf` may be reused after the call: read (or copy) during the call only.
 */
export interface MessageRanges {
  buf: Uint8Array
  /** `smessage` rather than `message`: a shard channel, apart from the classic one of its name. */
  sharded: boolean
  /** The pattern of a `pmessage`; -1 for the other kinds. */
  patternFrom: number
  patternTo: number
  channelFrom: number
  channelTo: number
  /** The payload. */
  from: number
  to: number
}

export type OnRanges = (message: MessageRanges) => void

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

/**
 * Reads message frames ahead of `decoder` and hands each to `onRanges`.
 *
 * @example
 * const frames = new MessageFrames(decoder, textMessages((channel, message) => {}, false))
 * socket.onData = (chunk) => frames.feed(chunk)
 */
export class MessageFrames {
  readonly #decoder: RespDecoder
  readonly #onRanges: OnRanges
  #held: Uint8Array | undefined
  readonly #ranges: MessageRanges = {
    buf: EMPTY,
    sharded: false,
    patternFrom: -1,
    patternTo: -1,
    channelFrom: 0,
    channelTo: 0,
    from: 0,
    to: 0,
  }
  /** Set by #bulk: where the blob it read starts and ends. */
  #from = 0
  #to = 0

  constructor(decoder: RespDecoder, onRanges: OnRanges) {
    this.#decoder = decoder
    this.#onRanges = onRanges
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
    let patternFrom = -1
    let patternTo = -1
    if (count === 52) {
      at = this.#bulk(buf, at)
      if (at < 0) return at
      patternFrom = this.#from
      patternTo = this.#to
    }
    at = this.#bulk(buf, at)
    if (at < 0) return at
    const channelFrom = this.#from
    const channelTo = this.#to
    at = this.#bulk(buf, at)
    if (at < 0) return at
    const ranges = this.#ranges
    ranges.buf = buf
    ranges.sharded = sharded
    ranges.patternFrom = patternFrom
    ranges.patternTo = patternTo
    ranges.channelFrom = channelFrom
    ranges.channelTo = channelTo
    ranges.from = this.#from
    ranges.to = this.#to
    this.#onRanges(ranges)
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
}

/**
 * Message frames as strings (with their kind): the channel and pattern decoded (the last of each kept, as most
 * traffic repeats a few names), the payload decoded too or, with `bytes`, copied.
 *
 * @example
 * new MessageFrames(decoder, textMessages((channel, message, pattern) => log(channel, message), false))
 */
export const textMessages = (onMessage: OnMessage, bytes: boolean): OnRanges => {
  /** The last channel [0] and pattern [1] read, and their bytes. */
  const names = ['', '']
  const nameBytes: Uint8Array[] = [EMPTY, EMPTY]
  const text = (slot: number, buf: Uint8Array, from: number, to: number): string => {
    const last = nameBytes[slot]!
    if (last.length === to - from) {
      let same = true
      for (let i = 0; i < last.length; i++) {
        if (last[i] !== buf[from + i]) {
          same = false
          break
        }
      }
      if (same) return names[slot]!
    }
    const copied = copy(buf, from, to)
    nameBytes[slot] = copied
    names[slot] = utf8.decode(copied)
    return names[slot]!
  }
  return function textMessage({ buf, sharded, patternFrom, patternTo, channelFrom, channelTo, from, to }) {
    const pattern = patternFrom < 0 ? undefined : text(1, buf, patternFrom, patternTo)
    const channel = text(0, buf, channelFrom, channelTo)
    const message = bytes ? copy(buf, from, to) : to === from ? '' : utf8Text(buf, from, to)
    onMessage(channel, message, pattern, sharded)
  }
}
