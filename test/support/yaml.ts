/**
 * Reads the block-style YAML subset the deploy files are written in (maps, sequences, one-line
 * flow sequences, quoted and plain scalars, comments), so tests can check them without a YAML
 * dependency. Scalars stay strings; anything outside the subset (anchors, `|` and `>` blocks,
 * multi-line flow) throws, so a deploy file that grows past it fails its test loudly.
 */

export type Yaml = string | Yaml[] | { [key: string]: Yaml }

interface Line {
  indent: number
  text: string
  number: number
}

/** Drops a ` # comment` that is outside quotes. */
const stripComment = (text: string): string => {
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || text[i - 1] === ' ')) return text.slice(0, i).trimEnd()
  }
  return text
}

const splitFlow = (inner: string): string[] => {
  const parts: string[] = []
  let quote = ''
  let start = 0
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!
    if (quote) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = ''
    } else if (c === '"' || c === "'") quote = c
    else if (c === ',') {
      parts.push(inner.slice(start, i).trim())
      start = i + 1
    }
  }
  const last = inner.slice(start).trim()
  if (last) parts.push(last)
  return parts
}

const scalar = (text: string, line: number): Yaml => {
  if (text.startsWith('"')) return JSON.parse(text) as string
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'")
  if (text === '{}') return {}
  if (text.startsWith('[') && text.endsWith(']'))
    return splitFlow(text.slice(1, -1)).map((p) => scalar(p, line))
  if (/^[|>&*!{[]/.test(text)) throw new Error(`line ${line}: YAML outside the supported subset: ${text}`)
  return text
}

/** Where `key: value` splits, or -1 (a colon followed by a space or the end, outside quotes). */
const keyEnd = (text: string): number => {
  if (text.startsWith('"') || text.startsWith("'")) return -1
  const match = /^[^\s:'"][^:]*?:(?=\s|$)/.exec(text)
  return match ? match[0].length - 1 : -1
}

/**
 * Parses a YAML document in the block subset.
 *
 * @example
 * parseYaml('a:\n  - x\n  - [y, "z"]\n') // { a: ['x', ['y', 'z']] }
 */
export const parseYaml = (source: string): Yaml => {
  const lines: Line[] = []
  source.split('\n').forEach((raw, i) => {
    const text = stripComment(raw.replace(/\s+$/, ''))
    if (text.trim() === '') return
    lines.push({ indent: text.length - text.trimStart().length, text: text.trimStart(), number: i + 1 })
  })
  let at = 0
  const block = (indent: number): Yaml => {
    const first = lines[at]!
    if (first.text === '-' || first.text.startsWith('- ')) {
      const list: Yaml[] = []
      while (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('-')) {
        const line = lines[at]!
        const rest = line.text.slice(1).trimStart()
        if (rest === '') {
          at++
          list.push(block(lines[at]!.indent))
        } else if (keyEnd(rest) > 0) {
          // `- key: value` opens a map whose entries sit where `key` starts.
          lines[at] = { indent: indent + (line.text.length - rest.length), text: rest, number: line.number }
          list.push(block(lines[at]!.indent))
        } else {
          at++
          list.push(scalar(rest, line.number))
        }
      }
      return list
    }
    const map: { [key: string]: Yaml } = {}
    while (at < lines.length && lines[at]!.indent === indent) {
      const line = lines[at]!
      const end = keyEnd(line.text)
      if (end < 0) throw new Error(`line ${line.number}: expected "key: value", got ${line.text}`)
      const key = line.text.slice(0, end)
      const rest = line.text.slice(end + 1).trim()
      at++
      if (rest !== '') map[key] = scalar(rest, line.number)
      else if (at < lines.length && lines[at]!.indent > indent) map[key] = block(lines[at]!.indent)
      else if (at < lines.length && lines[at]!.indent === indent && lines[at]!.text.startsWith('-'))
        map[key] = block(indent)
      else map[key] = ''
    }
    if (at < lines.length && lines[at]!.indent > indent) {
      throw new Error(`line ${lines[at]!.number}: unexpected indentation`)
    }
    return map
  }
  return lines.length === 0 ? '' : block(lines[0]!.indent)
}
