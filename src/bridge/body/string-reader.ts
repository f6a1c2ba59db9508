/**
 * Reads one JSON string of a body, across pieces: checks it (no control character, only JSON's
 * escapes), resolves its escapes, and keeps its bytes when asked. Most strings lie within one
 * piece and have no escape: those are handed back as a range of the piece (`from`, `to`) and
 * cost no copy; the rest gather in a `StringBytes`.
 */
import { StringBytes } from './string-bytes.ts'

/** `read` got to the end of the piece without the closing quote. */
export const MORE = -1

const QUOTE = 0x22
const BACKSLASH = 0x5c
const ESCAPES = new Map([
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0x2f, 0x2f],
  [0x62, 0x08],
  [0x66, 0x0c],
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
])

const hexDigit = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

export class StringReader {
  /** Once `read` ends the string: its last run of bytes, `piece[from, to)`, not in `earlier`. */
  from = 0
  to = 0
  /** Once `read` found a malformed byte: whether it followed a backslash. */
  escaped = false
  /** The bytes before the last run, when the string had an escape or spanned pieces. */
  earlier: StringBytes | undefined
  #keep = false
  /** 0 outside an escape, 1 after a backslash, 2 in the four hex digits of a `\u` escape. */
  #escaping = 0
  #hex = 0
  #hexDigits = 0

  /** Starts a string (after its opening quote); `keep`: gather its bytes. */
  start(keep: boolean): void {
    this.#keep = keep
    this.earlier = undefined
    this.#escaping = 0
  }

  #bytes(): StringBytes | undefined {
    if (!this.#keep) return undefined
    this.earlier ??= new StringBytes()
    return this.earlier
  }

  /**
   * Reads from `i`: returns the offset after the closing quote, MORE when the piece ended first,
   * or `-2 - at` for a malformed byte at `at`.
   */
  read(piece: Uint8Array, i: number): number {
    const n = piece.length
    let escaping = this.#escaping
    let start = i
    while (i < n) {
      if (escaping === 0) {
        // The common case, a run of plain bytes, in a tight loop.
        let c = piece[i]!
        while (c !== QUOTE && c !== BACKSLASH && c >= 0x20 && ++i < n) c = piece[i]!
        if (i === n) break
        if (c === QUOTE) {
          this.#escaping = 0
          this.from = start
          this.to = i
          return i + 1
        }
        if (c !== BACKSLASH) return this.#malformed(i, false)
        this.#bytes()?.run(piece.subarray(start, i))
        escaping = 1
      } else if (escaping === 1) {
        const c = piece[i]!
        if (c === 0x75) {
          escaping = 2
          this.#hex = 0
          this.#hexDigits = 0
        } else {
          const value = ESCAPES.get(c)
          if (value === undefined) return this.#malformed(i, true)
          this.earlier?.byte(value)
          escaping = 0
          start = i + 1
        }
      } else {
        const digit = hexDigit(piece[i]!)
        if (digit === -1) return this.#malformed(i, false)
        this.#hex = this.#hex * 16 + digit
        if (++this.#hexDigits === 4) {
          this.earlier?.unit(this.#hex)
          escaping = 0
          start = i + 1
        }
      }
      i++
    }
    if (escaping === 0) this.#bytes()?.run(piece.subarray(start, n))
    this.#escaping = escaping
    return MORE
  }

  #malformed(at: number, escaped: boolean): number {
    this.escaped = escaped
    return -2 - at
  }
}
