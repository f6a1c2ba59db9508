/**
 * A one-pass look at the shape of a JSON body, run on its bytes before they are decoded and handed
 * to `JSON.parse`. The bridge's bodies are shallow by contract (a command is an array of scalars,
 * a pipeline an array of such arrays), but `JSON.parse` builds whatever it is given: 10 MB of `[[[[…` is five million nested arrays, seconds
 * of blocked event loop and half a gigabyte of heap. What a body costs after that grows with its
 * number of values, not its bytes (a 10 MB body of a million `["PING"]`s holds the event loop for
 * seconds), so the scan counts those too. It only looks at brackets and commas outside strings:
 * one pass, constant memory, stopping at the first bracket too deep. Bytes, not text: in UTF-8
 * every byte of a multi-byte character is >= 0x80, so the ASCII structure reads the same, and a
 * refused body is never decoded. It does not validate the grammar; `JSON.parse` still does that,
 * on a text now known to build a small, shallow value.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

export interface JsonShape {
  /** Offset of the first `[` or `{` opening a level deeper than allowed, or -1. */
  tooDeepAt: number
  /**
   * `values[d]`: how many values sit directly inside the arrays (or objects) at depth `d`, so
   * `values[1]` is a command's arguments or a pipeline's commands, and `values[2]` the arguments
   * of all a pipeline's commands. An empty array counts as one: it is refused later anyway.
   */
  values: number[]
}

/**
 * Scans a UTF-8 JSON body, allowing `max` levels of nesting. Linear in its length, constant memory.
 *
 * @example
 * const bytes = new TextEncoder().encode('[["GET","k"],["PING"]]')
 * jsonShape(bytes, 3) // { tooDeepAt: -1, values: [0, 2, 3, 0] }
 */
export const jsonShape = (text: Uint8Array, max: number): JsonShape => {
  const values = new Array<number>(max + 1).fill(0)
  let depth = 0
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text[i]!
    if (c === QUOTE) {
      // Skip the string with the native search: its closing quote is the first one not escaped,
      // i.e. not preceded by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf(QUOTE, i + 1)
        if (end === -1) return { tooDeepAt: -1, values }
        let slashes = 0
        while (text[end - 1 - slashes] === BACKSLASH) slashes++
        i = end
        if (slashes % 2 === 0) break
      }
    } else if (c === COMMA) {
      values[depth]!++
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return { tooDeepAt: i, values }
      values[depth]!++
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) {
      depth--
    }
  }
  return { tooDeepAt: -1, values }
}
