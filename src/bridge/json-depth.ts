/**
 * A one-pass check of how deep a JSON text nests, run before `JSON.parse`. The bridge's bodies are
 * shallow by contract (a command is an array of scalars, a pipeline an array of such arrays), but
 * `JSON.parse` builds whatever it is given: 10 MB of `[[[[…` is five million nested arrays, seconds
 * of blocked event loop and half a gigabyte of heap. This scan only counts brackets outside
 * strings, so it costs one pass over the text and no memory, and stops at the first bracket too
 * deep. It does not validate the rest of the grammar; `JSON.parse` still does that, on a text now
 * known to build a shallow value.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

/**
 * Returns the index of the first `[` or `{` (outside strings) that opens a level deeper than
 * `max`, or -1 when the text nests no deeper than that. Linear in the text, constant memory.
 *
 * @example
 * tooDeepAt('[["GET","k"]]', 2) // -1
 * tooDeepAt('[[["GET"]]]', 2) // 2
 */
export const tooDeepAt = (text: string, max: number): number => {
  let depth = 0
  const length = text.length
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      // Skip the string: a backslash escapes the next character, whatever it is.
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i)
        if (s === BACKSLASH) i++
        else if (s === QUOTE) break
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return i
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--
    }
  }
  return -1
}
