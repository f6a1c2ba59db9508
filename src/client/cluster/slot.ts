/**
 * Hash slots as Valkey Cluster computes them: CRC16 (the XMODEM variant: polynomial 0x1021, initial
 * value 0, no reflection) of the key's bytes, modulo 16384. When the key holds a hash tag, a `{`
 * followed later by a `}` with at least one byte between them, only those bytes are hashed, so
 * `{user:42}:a` and `{user:42}:b` share a slot (Valkey's `keyHashSlot` in `src/cluster.c`).
 */
import type { Arg } from '../types.ts'

/** How many hash slots a Valkey Cluster has. */
export const SLOTS = 16384

const TABLE = (() => {
  const table = new Uint16Array(256)
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
    table[byte] = crc & 0xffff
  }
  return table
})()

/** CRC16/XMODEM of `bytes[from..to)`. */
export const crc16 = (bytes: Uint8Array, from = 0, to = bytes.length): number => {
  let crc = 0
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!
  return crc
}

const encoder = new TextEncoder()
const OPEN = 0x7b // '{'
const CLOSE = 0x7d // '}'

/**
 * The hash slot of a key (0..16383), honouring hash tags.
 *
 * @example
 * keySlot('foo') // 12182, as CLUSTER KEYSLOT foo answers
 * keySlot('{user:42}:session') === keySlot('{user:42}:limit') // true
 */
export const keySlot = (key: Arg): number => {
  if (typeof key === 'string') {
    const slot = asciiSlot(key)
    if (slot !== -1) return slot
  }
  const bytes = key instanceof Uint8Array ? key : encoder.encode(String(key))
  const open = bytes.indexOf(OPEN)
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1)
    if (close > open + 1) return crc16(bytes, open + 1, close) & (SLOTS - 1)
  }
  return crc16(bytes) & (SLOTS - 1)
}

/** The slot of an ASCII string without encoding it (the usual key); -1 when it is not ASCII. */
const asciiSlot = (key: string): number => {
  let from = 0
  let to = key.length
  const open = key.indexOf('{')
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) {
      from = open + 1
      to = close
    }
  }
  // UTF-8 never puts `{` or `}` inside a multi-byte character, so the tag is the same text in
  // characters and in bytes: only the hashed part must be ASCII.
  const hashed = from === 0 && to === key.length ? key : key.slice(from, to)
  if (hashed === lastHashed) return lastSlot
  let crc = 0
  for (let i = 0; i < hashed.length; i++) {
    const code = hashed.charCodeAt(i)
    if (code > 0x7f) return -1
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ code) & 0xff]!
  }
  lastHashed = hashed
  lastSlot = crc & (SLOTS - 1)
  return lastSlot
}

// The keys of one call usually share a tag (`{rl:user}:a`, `{rl:user}:b`): remember the last one.
let lastHashed = ''
let lastSlot = crc16(new Uint8Array(0)) & (SLOTS - 1)
