/**
 * Binary-safe values as JavaScript strings. The memory backend keeps every key, field, member and
 * value as one string in a canonical form: valid UTF-8 is stored as the text it encodes, and each
 * byte that is not part of valid UTF-8 as a lone low surrogate U+DC80..U+DCFF (the
 * "surrogateescape" mapping). Text costs nothing to store or return, and arbitrary bytes still
 * round-trip exactly: `toBytes(fromBytes(b))` equals `b` for every `b`.
 */

import type { Arg } from '../types.ts'
import { isText } from './text.ts'

const encoder = new TextEncoder()
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenient = new TextDecoder('utf-8', { ignoreBOM: true })

/** The length of a valid UTF-8 sequence starting with `lead` at `bytes[i]`, or 0 when invalid. */
const sequenceLength = (bytes: Uint8Array, i: number): number => {
  const lead = bytes[i]!
  const n = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2
  if (lead < 0xc2 || lead > 0xf4 || i + n > bytes.length) return 0
  const second = bytes[i + 1]!
  // RFC 3629 section 4: the second byte's range depends on the lead byte (no overlongs, no
  // surrogates, nothing past U+10FFFF).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
  if (second < low || second > high) return 0
  for (let k = 2; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0
  return n
}

/** Decodes bytes to the canonical string form. */
export const fromBytes = (bytes: Uint8Array): string => {
  try {
    return strict.decode(bytes)
  } catch {
    let out = ''
    let start = 0
    let i = 0
    while (i < bytes.length) {
      if (bytes[i]! < 0x80) {
        i++
        continue
      }
      const n = sequenceLength(bytes, i)
      if (n > 0) {
        i += n
        continue
      }
      out += strict.decode(bytes.subarray(start, i)) + String.fromCharCode(0xdc00 + bytes[i]!)
      start = ++i
    }
    return out + strict.decode(bytes.subarray(start))
  }
}

/** Encodes a canonical string back to its bytes. */
export const toBytes = (s: string): Uint8Array => {
  if (isText(s)) return encoder.encode(s)
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit >= 0xdc80 && unit <= 0xdcff) {
      out.push(unit - 0xdc00)
      continue
    }
    const isPair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length
    const next = isPair ? s.charCodeAt(i + 1) : 0
    const chunk = isPair && next >= 0xdc00 && next <= 0xdfff ? s.slice(i, ++i + 1) : s[i]!
    for (const b of encoder.encode(chunk)) out.push(b)
  }
  return Uint8Array.from(out)
}

/** The canonical form of any string (a string a script built may hold stray surrogates). */
export const canonical = (s: string): string => (isText(s) ? s : fromBytes(toBytes(s)))

/** One command argument in canonical form. Numbers are sent in decimal, as on the wire. */
export const str = (arg: Arg | undefined): string => {
  if (typeof arg === 'string') return isText(arg) ? arg : fromBytes(toBytes(arg))
  if (typeof arg === 'number') {
    if (Number.isFinite(arg)) return String(arg)
    // NOTE: the same TypeError the TCP encoder throws, so misuse fails alike on every transport.
    throw new TypeError(
      `command arguments must be finite numbers, received ${arg}; pass '+inf'/'-inf' as strings`,
    )
  }
  if (arg instanceof Uint8Array) return fromBytes(arg)
  throw new TypeError(
    `command arguments must be strings, numbers or Uint8Array, received ${arg === null ? 'null' : typeof arg}`,
  )
}

/** A stored string as the caller receives it: bytes on request, else text (bad bytes as U+FFFD). */
export const present = (s: string, bytes: boolean): string | Uint8Array =>
  bytes ? toBytes(s) : isText(s) ? s : lenient.decode(toBytes(s))

/** The number of bytes `s` stands for (STRLEN, APPEND). */
export const byteLength = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) n += 1
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 2
        i++
      } else n += 2
    } else if (unit >= 0xdc80 && unit <= 0xdcff) n += 0
    else n += 2
  }
  return n
}
