/**
 * Reads one JSON number of a body, across pieces, to the grammar of RFC 8259 §6, and gives the
 * text an argument gets: what `String(Number(text))` gives (`1e2` is `100`, `-0` is `0`), as
 * when the body went through `JSON.parse`. An integer of up to 15 digits read in one go is its
 * own text, without the round trip.
 */
import { textOf } from './string-bytes.ts'

/** `read` got to the end of the piece, maybe inside the number. */
export const MORE = -1

const DIGITS_EXACT = 15

// Grammar states: 0 start, 1 after '-', 2 after a leading 0, 3 integer digits, 4 after '.',
// 5 fraction digits, 6 after 'e', 7 after the exponent's sign, 8 exponent digits.
const next = (s: number, c: number): number => {
  const digit = c >= 0x30 && c <= 0x39
  const exponent = c === 0x65 || c === 0x45
  if (s === 0) return c === 0x2d ? 1 : c === 0x30 ? 2 : digit ? 3 : -1
  if (s === 1) return c === 0x30 ? 2 : digit ? 3 : -1
  if (s === 2) return c === 0x2e ? 4 : exponent ? 6 : -1
  if (s === 3) return digit ? 3 : c === 0x2e ? 4 : exponent ? 6 : -1
  if (s === 4) return digit ? 5 : -1
  if (s === 5) return digit ? 5 : exponent ? 6 : -1
  if (s === 6) return c === 0x2b || c === 0x2d ? 7 : digit ? 8 : -1
  return digit ? 8 : -1
}

const isNumberByte = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45

export class NumberReader {
  #state = 0
  #text = ''
  #keep = false
  /** The text is final (an integer read whole), no round trip needed. */
  #exact = false

  /** Starts a number at its first byte; `keep`: gather its text. */
  start(keep: boolean): void {
    this.#state = 0
    this.#text = ''
    this.#keep = keep
    this.#exact = false
  }

  /** Whether what was read so far is a whole number (the body may end here). */
  get complete(): boolean {
    const s = this.#state
    return s === 2 || s === 3 || s === 5 || s === 8
  }

  /**
   * Reads from `i`: the offset of the first byte after the number, MORE when the piece ended
   * first, or `-2 - at` for a malformed byte at `at`.
   */
  read(piece: Uint8Array, i: number): number {
    const n = piece.length
    const start = i
    const whole = this.#state === 0
    for (; i < n; i++) {
      const s = next(this.#state, piece[i]!)
      if (s !== -1) {
        this.#state = s
        continue
      }
      if (!this.complete || isNumberByte(piece[i]!)) return -2 - i
      if (this.#keep) {
        const integer = whole && (this.#state === 2 || this.#state === 3) && i - start <= DIGITS_EXACT
        this.#exact = integer
        this.#text = integer && this.#state === 2 ? '0' : this.#text + textOf(piece, start, i)
      }
      return i
    }
    if (this.#keep) this.#text += textOf(piece, start, n)
    return MORE
  }

  /** The argument's text, or undefined when the number is not finite (`1e999`). */
  value(): string | undefined {
    if (this.#exact) return this.#text
    const value = Number(this.#text)
    return Number.isFinite(value) ? String(value) : undefined
  }
}
