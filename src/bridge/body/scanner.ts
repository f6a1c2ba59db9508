/**
 * The body's shape, counted the way the bridge has always counted it (the one-pass scan that
 * guards `--max-args`, `--max-commands` and the nesting limit): brackets and commas outside
 * strings, and nothing else. The parser counts as it parses; once it stops building (a syntax
 * error, or past a limit) this scanner takes over for the rest of the body, fed in the same
 * pieces, in constant memory, and stops at the first bracket too deep.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

export class Scanner {
  /**
   * `values[d]`: how many values sit directly inside the arrays (or objects) at depth `d`; an
   * empty array counts as one, as it is refused anyway.
   */
  readonly values: number[]
  /** Offset of the first `[` or `{` opening a level deeper than allowed, or -1. */
  tooDeepAt = -1
  readonly #max: number
  #depth = 0
  #inString = false
  #escaped = false

  /** `max`: the deepest level allowed. */
  constructor(max: number) {
    this.#max = max
    this.values = new Array<number>(max + 1).fill(0)
  }

  /** Takes over from the parser at nesting `depth` (inside a string, maybe after a backslash). */
  resume(depth: number, inString: boolean, escaped: boolean): void {
    this.#depth = depth
    this.#inString = inString
    this.#escaped = escaped
  }

  tooDeep(at: number): void {
    this.tooDeepAt = at
  }

  /** Scans `piece` from `from`; `offset` is where the piece starts in the body. */
  scan(piece: Uint8Array, from: number, offset: number): void {
    if (this.tooDeepAt !== -1) return
    const values = this.values
    const n = piece.length
    let depth = this.#depth
    let inString = this.#inString
    let escaped = this.#escaped
    for (let i = from; i < n; i++) {
      const c = piece[i]!
      if (inString) {
        if (escaped) escaped = false
        else if (c === BACKSLASH) escaped = true
        else if (c === QUOTE) inString = false
      } else if (c === QUOTE) inString = true
      else if (c === COMMA) values[depth]!++
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > this.#max) {
          this.tooDeepAt = offset + i
          return
        }
        values[depth]!++
      } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) depth--
    }
    this.#depth = depth
    this.#inString = inString
    this.#escaped = escaped
  }
}
