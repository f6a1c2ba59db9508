/**
 * Turns upstream replies into the Upstash REST JSON shapes: `{"result": ...}` (the key always
 * present, `null` included) or `{"error": "..."}`. With `Upstash-Encoding: base64` every string in
 * a result is base64 of its exact bytes, except the status reply `OK`; integers and null stay as
 * they are, arrays are encoded element by element, and errors are never encoded.
 */
import { ReplyError } from '../errors.ts'
import { PiecewiseString, STREAM_MIN } from './reply-stream.ts'
import { normaliseError } from './scripts.ts'

/** A JSON-ready result: what goes under `"result"`. */
export type JsonResult = string | number | null | PiecewiseString | JsonResult[]

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }) // keep a value's leading U+FEFF
const encoder = new TextEncoder()

/** Base64 of `bytes` (standard alphabet, padded), with Web APIs only. */
export const base64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[])
  }
  return btoa(binary)
}

const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** Bytes base64-encoded at a time when a long value is written in pieces: a multiple of 3. */
const BASE64_PIECE = 48 * 1024

/** The base64 of long bytes, encoded piece by piece as the response is written (reply-stream.ts). */
const base64Later = (bytes: Uint8Array): PiecewiseString =>
  new PiecewiseString(Math.ceil(bytes.length / 3) * 4, function* () {
    for (let i = 0; i < bytes.length; i += BASE64_PIECE) yield base64(bytes.subarray(i, i + BASE64_PIECE))
  })

/** Base64 of a string's UTF-8 bytes; ASCII text skips the encoder. */
const base64Text = (text: string): string => (isAscii(text) ? btoa(text) : base64(encoder.encode(text)))

/**
 * Converts one reply value (as the upstream client delivers it: string, number, bigint, boolean,
 * null, bytes, arrays, or an error nested inside an array) into its JSON form.
 */
export const toJson = (reply: unknown, encode: boolean): JsonResult => {
  if (reply === null || reply === undefined) return null
  if (typeof reply === 'number') return Number.isFinite(reply) ? reply : String(reply)
  if (typeof reply === 'string') return encode && reply !== 'OK' ? base64Text(reply) : reply
  if (reply instanceof Uint8Array) {
    if (!encode) return utf8.decode(reply)
    // The status reply OK stays readable (the client leaves "OK" alone, whatever its encoding).
    if (reply.length === 2 && reply[0] === 0x4f && reply[1] === 0x4b) return 'OK'
    return reply.length * 4 >= STREAM_MIN * 3 ? base64Later(reply) : base64(reply)
  }
  if (Array.isArray(reply)) {
    const out: JsonResult[] = new Array(reply.length)
    for (let i = 0; i < reply.length; i++) out[i] = toJson(reply[i], encode)
    return out
  }
  if (typeof reply === 'bigint') {
    return Number.isSafeInteger(Number(reply)) ? Number(reply) : String(reply)
  }
  if (typeof reply === 'boolean') return reply ? 1 : 0
  // NOTE: an error nested inside an array (a script returning redis.error_reply in a table) has no
  // Upstash shape; its text is the least surprising JSON for it.
  if (reply instanceof Error) return normaliseError(reply.message)
  if (reply instanceof Map) return toJson([...reply].flat(), encode)
  if (reply instanceof Set) return toJson([...reply], encode)
  return String(reply)
}

/** One entry of a pipeline or transaction response. */
export type Item = { result: JsonResult } | { error: string }

/** `{result}` for a reply, `{error}` for a ReplyError (NOSCRIPT text normalised). */
export const toItem = (reply: unknown, encode: boolean): Item =>
  reply instanceof ReplyError ? { error: normaliseError(reply.message) } : { result: toJson(reply, encode) }
