/**
 * The JSON side of the Upstash REST protocol: arguments into JSON values, and results (plain or
 * `Upstash-Encoding: base64`) back into RESP2-shaped replies, as exact strings or bytes.
 */
import { ProtocolError } from '../errors.ts'
import type { Arg, Command, Reply } from './types.ts'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const utf8 = new TextDecoder('utf-8')
const encoder = new TextEncoder()

/**
 * One argument as JSON carries it. Numbers go as their decimal string, as the TCP encoder sends
 * them, so the server never has to guess at `1e+21`. Bytes must be UTF-8: a JSON body cannot carry
 * anything else, and a lossy replacement would silently store different bytes.
 */
const jsonArg = (arg: Arg, command: Command): string => {
  if (typeof arg === 'string') return arg
  if (typeof arg === 'number') return String(arg)
  if (arg instanceof Uint8Array) {
    try {
      return strictUtf8.decode(arg)
    } catch {
      throw new TypeError(
        `${String(command[0])}: an argument is not valid UTF-8; the HTTP transport sends arguments as JSON strings and cannot carry arbitrary bytes. Encode the value (e.g. base64) before storing it, or use a redis:// URL`,
      )
    }
  }
  throw new TypeError(
    `${String(command[0])}: arguments must be strings, numbers or Uint8Array, received ${arg === null ? 'null' : typeof arg}`,
  )
}

/** A command as the JSON array the bridge expects, e.g. `["SET","k","v","PX","1000"]`. */
export const jsonCommand = (command: Command): string[] => {
  if (!Array.isArray(command) || command.length === 0) {
    throw new TypeError('a command must be a non-empty array such as ["GET", "key"]')
  }
  return command.map((arg) => jsonArg(arg, command))
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
