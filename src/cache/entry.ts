/**
 * What one cache key holds in Valkey: a one-line header, then the serialized value.
 *
 *   c1:<created>:<freshUntil>:<staleUntil>:<delta>:<flags>:<tags>\n<payload>
 *
 * Times are epoch ms on the writer's clock; `delta` is how long the factory took (XFetch needs
 * it); flag `n` marks a remembered factory failure (negative caching), whose payload is the error
 * message; flag `j` marks a payload of plain JSON (no tagged value in it). `<tags>` is empty or a
 * JSON object of the tag versions the value was computed under: a read compares them with the
 * tags' current versions, so invalidating a tag is one INCR however many entries carry it. The
 * header is parsed by hand: a hit costs one `JSON.parse`, the payload's.
 */
import { CacheError } from '../errors.ts'
import { type Serializer, taggedJson } from './serializer.ts'

export interface Entry {
  readonly created: number
  readonly freshUntil: number
  readonly staleUntil: number
  /** Ms the factory took. */
  readonly delta: number
  readonly negative: boolean
  /** The payload is plain JSON that `taggedJson` wrote without a tag: `JSON.parse` reads it. */
  readonly plain?: boolean
  /** Tag -> version at write time; undefined when the entry has no tags. */
  readonly tags: Readonly<Record<string, number>> | undefined
  /** The serialized value (or, when `negative`, the error message). */
  readonly payload: string
}

/** The text stored for `entry`. */
export const encodeEntry = (entry: Entry): string =>
  `c1:${entry.created}:${entry.freshUntil}:${entry.staleUntil}:${entry.delta}:${entry.negative ? 'n' : entry.plain ? 'j' : ''}:` +
  `${entry.tags === undefined ? '' : JSON.stringify(entry.tags)}\n${entry.payload}`

/**
 * `Number(text.slice(from, to))` without the slice when the field is plain digits, as the times
 * this module writes are (a hit parses four of them).
 */
const field = (text: string, from: number, to: number): number => {
  if (to - from > 0 && to - from < 16) {
    let n = 0
    let i = from
    for (; i < to; i++) {
      const digit = text.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) break
      n = n * 10 + digit
    }
    if (i === to) return n
  }
  return Number(text.slice(from, to))
}

/** Parses a stored entry; `undefined` for text that is not one (another writer's key). */
export const decodeEntry = (text: string): Entry | undefined => {
  if (!text.startsWith('c1:')) return undefined
  // Field by field with indexOf: no split/join arrays on the hit path.
  const a = text.indexOf(':', 3)
  const b = text.indexOf(':', a + 1)
  const c = text.indexOf(':', b + 1)
  const d = text.indexOf(':', c + 1)
  const e = text.indexOf(':', d + 1)
  const newline = text.indexOf('\n', e + 1)
  if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || newline < 0) return undefined
  const created = field(text, 3, a)
  const freshUntil = field(text, a + 1, b)
  const staleUntil = field(text, b + 1, c)
  const delta = field(text, c + 1, d)
  if (!(created >= 0 && freshUntil >= 0 && staleUntil >= 0 && delta >= 0)) return undefined
  let tags: Record<string, number> | undefined
  // The tags' JSON may contain ':' itself: it is everything between the fifth separator and the newline.
  if (newline > e + 1) {
    try {
      tags = JSON.parse(text.slice(e + 1, newline)) as Record<string, number>
    } catch {
      return undefined
    }
  }
  return {
    created,
    freshUntil,
    staleUntil,
    delta,
    negative: text.charCodeAt(d + 1) === 110, // 'n'
    plain: text.charCodeAt(d + 1) === 106, // 'j'
    tags,
    payload: text.slice(newline + 1),
  }
}

/** Whether `payload`, as `serializer` wrote it, may be flagged plain (see `entryValue`). */
export const isPlain = (payload: string, serializer: Serializer): boolean =>
  serializer === taggedJson && !payload.includes('"$t"')

/**
 * The entry's value. A payload flagged plain skips `taggedJson`'s scan for tags on every hit: the
 * writer scanned it once. Unflagged entries (older ones, other serializers) read as before.
 */
export const entryValue = (entry: Entry, serializer: Serializer): unknown =>
  entry.plain === true && serializer === taggedJson
    ? JSON.parse(entry.payload)
    : serializer.deserialize(entry.payload)

const encoder = new TextEncoder()

/**
 * Throws `ERR_CACHE_TOO_LARGE` when `text` is over `maxBytes` in UTF-8. A string of n UTF-16 units
 * is n to 3n bytes, so most values are settled by their length without encoding them.
 */
export const checkSize = (text: string, maxBytes: number, key: string): void => {
  if (text.length * 3 <= maxBytes) return
  const bytes = text.length > maxBytes ? text.length : encoder.encode(text).length
  if (bytes > maxBytes) {
    throw new CacheError(
      `the value for cache key '${key}' is ${bytes} bytes or more, over maxBytes (${maxBytes}): ` +
        'cache something smaller, or raise maxBytes in createCache',
      { code: 'ERR_CACHE_TOO_LARGE' },
    )
  }
}
