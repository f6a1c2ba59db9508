/**
 * The JSON side of the Upstash REST protocol: arguments into JSON strings (or, for one binary
 * argument, a raw-body request), and results (plain or `Upstash-Encoding: base64`) back into
 * RESP2-shaped replies, as exact strings or bytes.
 */
import { ProtocolError } from '../../errors.ts'
import type { Command, Reply } from '../types.ts'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }) // keep a value's leading U+FEFF
const encoder = new TextEncoder()

const argError = (command: Command, arg: unknown): TypeError =>
  new TypeError(
    `${String(command[0])}: arguments must be strings, numbers or Uint8Array, received ${arg === null ? 'null' : typeof arg}`,
  )

/**
 * A command whose one non-UTF-8 argument cannot travel in JSON: it goes as the raw body of a
 * path-style request (`POST /SET/key?PX&1000`, body = the bytes), which the Upstash REST protocol
 * defines as "the body is the last argument, query arguments follow it".
 */
export interface RawCommand {
  readonly name: string
  /** `/arg0/arg1...?after0&after1`, each part percent-encoded. */
  readonly path: string
  readonly body: Uint8Array
}

/** What goes on the wire for one command: a JSON array of strings, or a raw-body request. */
export type EncodedCommand = string[] | RawCommand

export const isRaw = (command: EncodedCommand): command is RawCommand => !Array.isArray(command)

/** About what a command adds to a request body: its arguments' lengths, quotes and commas. */
export const encodedSize = (command: EncodedCommand): number => {
  if (isRaw(command)) return command.body.length + command.path.length
  let n = 2
  for (const arg of command) n += arg.length + 3
  return n
}

/**
 * A command as the JSON array the bridge expects, e.g. `["SET","k","v","PX","1000"]`. Numbers go
 * as their decimal string, as the TCP encoder sends them. Bytes must be valid UTF-8 here: JSON
 * cannot carry anything else, and a lossy replacement would silently store different bytes.
 */
export const jsonCommand = (command: Command): string[] => {
  const encoded = encodeCommand(command)
  if (isRaw(encoded)) {
    throw new TypeError(
      `${String(command[0])}: an argument is not valid UTF-8 and cannot travel in a JSON pipeline; send it alone with send(), encode it (e.g. base64), or use a redis:// URL`,
    )
  }
  return encoded
}

/**
 * Encodes a command for the HTTP transport: JSON strings when every argument is text, else a
 * `RawCommand` when exactly one argument is binary (not valid UTF-8) and the path form can express
 * the rest (no empty argument right before it or after it). Anything else is a `TypeError`.
 */
export const encodeCommand = (command: Command): EncodedCommand => {
  if (!Array.isArray(command) || command.length === 0) {
    throw new TypeError('a command must be a non-empty array such as ["GET", "key"]')
  }
  const args = new Array<string>(command.length)
  let binary = -1
  for (let i = 0; i < command.length; i++) {
    const arg: unknown = command[i]
    if (typeof arg === 'string') args[i] = arg
    else if (typeof arg === 'number') args[i] = String(arg)
    else if (arg instanceof Uint8Array) {
      try {
        args[i] = strictUtf8.decode(arg)
      } catch {
        if (binary !== -1 || i === 0) {
          throw new TypeError(
            `${String(command[0])}: more than one argument is not valid UTF-8; the HTTP transport carries at most one binary argument per command (as the raw request body). Encode the values (e.g. base64) or use a redis:// URL`,
          )
        }
        binary = i
      }
    } else throw argError(command, arg)
  }
  if (binary === -1) return args
  const before = args.slice(0, binary)
  const after = args.slice(binary + 1)
  if (before[before.length - 1] === '' || after.includes('')) {
    throw new TypeError(
      `${String(command[0])}: a binary argument next to an empty string cannot be sent over HTTP; use a redis:// URL`,
    )
  }
  const query = after.length > 0 ? `?${after.map(encodeURIComponent).join('&')}` : ''
  return {
    name: args[0]!,
    path: `/${before.map(encodeURIComponent).join('/')}${query}`,
    body: command[binary] as Uint8Array,
  }
}

const fromBase64 = (text: string): string => {
  try {
    return atob(text)
  } catch (error) {
    throw new ProtocolError(`the server sent a result that is not valid base64 under Upstash-Encoding`, {
      cause: error,
    })
  }
}

const binaryToBytes = (binary: string): Uint8Array => {
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** A base64 string from the server as a UTF-8 string; ASCII (the common case) skips the decoder. */
const base64ToString = (text: string): string => {
  const binary = fromBase64(text)
  for (let i = 0; i < binary.length; i++) {
    if (binary.charCodeAt(i) > 0x7f) return utf8.decode(binaryToBytes(binary))
  }
  return binary
}

/**
 * Turns one `result` from the server into a reply. With `base64`, every string is base64 except the
 * status reply `OK` (the bridge contract; "OK" can never be a base64 encoding: it has 2 characters).
 * With `bytes`, strings come back as `Uint8Array`.
 */
export const decodeResult = (value: unknown, base64: boolean, bytes: boolean): Reply => {
  switch (typeof value) {
    case 'number':
      return value
    case 'string':
      if (base64 && value !== 'OK') return bytes ? binaryToBytes(fromBase64(value)) : base64ToString(value)
      return bytes ? encoder.encode(value) : value
    case 'object':
      if (value === null) return null
      if (Array.isArray(value)) return value.map((item) => decodeResult(item, base64, bytes))
      break
    case 'boolean':
      // A RESP3 boolean that reached JSON; RESP2 sends it as the integer 1 or 0.
      return value ? 1 : 0
  }
  throw new ProtocolError(
    `the server sent a result of an unexpected JSON type (${value === null ? 'null' : typeof value}); results must be RESP2-shaped: a string, integer, null or array`,
  )
}
