/**
 * Valkey's glob-style matching (`stringmatchlen` in util.c), as PSUBSCRIBE and KEYS use it:
 * `*` any run, `?` one character, `[abc]`, `[^a-z]` classes, and `\` to escape the next character.
 */

const matchClass = (pattern: string, p: number, c: string): { matched: boolean; next: number } => {
  let i = p + 1
  const negate = pattern[i] === '^'
  if (negate) i++
  let matched = false
  for (; i < pattern.length && pattern[i] !== ']'; i++) {
    if (pattern[i] === '\\' && i + 1 < pattern.length) {
      i++
      if (pattern[i] === c) matched = true
    } else if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      let lo = pattern[i]!
      let hi = pattern[i + 2]!
      if (lo > hi) [lo, hi] = [hi, lo]
      if (c >= lo && c <= hi) matched = true
      i += 2
    } else if (pattern[i] === c) matched = true
  }
  return { matched: negate ? !matched : matched, next: i }
}

/**
 * True when `text` matches the glob `pattern`.
 *
 * @example
 * globMatch('chat:*', 'chat:42') // true
 * globMatch('h[^e]llo', 'hello') // false
 */
export const globMatch = (pattern: string, text: string): boolean => {
  const go = (p: number, t: number): boolean => {
    while (p < pattern.length) {
      const c = pattern[p]!
      if (c === '*') {
        while (pattern[p + 1] === '*') p++
        if (p + 1 === pattern.length) return true
        for (let i = t; i <= text.length; i++) if (go(p + 1, i)) return true
        return false
      }
      if (t >= text.length) return false
      if (c === '?') {
        // any one character
      } else if (c === '[') {
        const { matched, next } = matchClass(pattern, p, text[t]!)
        if (!matched) return false
        p = next
      } else if (c === '\\' && p + 1 < pattern.length) {
        p++
        if (pattern[p] !== text[t]) return false
      } else if (c !== text[t]) return false
      p++
      t++
    }
    return t === text.length
  }
  return go(0, 0)
}
