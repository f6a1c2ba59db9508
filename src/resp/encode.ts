/**
 * RESP command encoder: a command (strings, numbers, bytes) becomes the array of bulk strings the
 * server expects (RESP spec, "Sending commands to a Redis server"). Pure functions, no I/O.
 *
 * The common case, a command of strings and numbers only, is built as one JS string
 * (`commandText`) so a client can join many commands and encode them with one `TextEncoder` call
 * per socket write; commands carrying `Uint8Array` arguments take the byte path.
 */
import type { Command } from './types.ts'

const utf8 = new TextEncoder()

/**
 * The UTF-8 byte length of `text`, as `TextEncoder` would encode it (a lone surrogate becomes
 * U+FFFD, three bytes), without encoding it.
 *
 * @example
 * utf8Length('café 😀') // 10
 */
export const utf8Length = (text: string): number => {
  const length = text.length
  let bytes = length
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i)
    if (unit < 0x80) continue
    if (unit < 0x800) bytes += 1
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2
        i++
      } else bytes += 2
    } else bytes += 2
  }
  return bytes
}

const numberText = (value: number): string => {
  if (!Number.isFinite(value)) {
    throw new TypeError(
      `command arguments must be finite numbers, received ${value}; pass '+inf'/'-inf' as strings`,
    )
  }
  return String(value)
}

const badArg = (arg: unknown): TypeError =>
  new TypeError(
    `command arguments must be strings, numbers or Uint8Array, received ${arg === null ? 'null' : typeof arg}`,
  )

const WIRE = Symbol('floodgate.wire')
type Carrying = Command & { [WIRE]?: Uint8Array }

/**
 * Attaches a command's wire form, encoded ahead of time (the bridge encodes a 10 MB request in
 * pieces, between which it serves others): `encodeCommand` then returns these bytes as they are.
 * `bytes` must be exactly `encodeCommand(command)`, and the command must not change afterwards.
 *
 * @example
 * attachWire(command, encodeCommand(command))
 */
export const attachWire = (command: Command, bytes: Uint8Array): void => {
  ;(command as Carrying)[WIRE] = bytes
}

const checkCommand = (command: Command): void => {
  if (!Array.isArray(command) || command.length === 0) {
    throw new TypeError('a command is a non-empty array such as ["GET", "key"]')
  }
}

/**
 * The RESP text of a command whose arguments are all strings and numbers, or `undefined` when an
 * argument is a `Uint8Array` (use `encodeCommand` for those). Lengths are UTF-8 byte lengths, so
 * `TextEncoder.encode` of the result (or of several joined) is the exact wire form.
 *
 * @example
 * commandText(['INCR', 'hits']) // '*2\r\n$4\r\nINCR\r\n$4\r\nhits\r\n'
 */
export const commandText = (command: Command): string | undefined => {
  checkCommand(command)
  if ((command as Carrying)[WIRE] !== undefined) return undefined
  let out = `*${command.length}\r\n`
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]
    if (typeof arg === 'string') out += `$${utf8Length(arg)}\r\n${arg}\r\n`
    else if (typeof arg === 'number') {
      const text = numberText(arg)
      out += `$${text.length}\r\n${text}\r\n`
    } else if (arg instanceof Uint8Array) return undefined
    else throw badArg(arg)
  }
  return out
}

const digits = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length)

/** Writes `$<length>\r\n` (or `*<count>\r\n`: `mark` 0x2a) at `at`; returns the offset after it. */
export const writeHeader = (out: Uint8Array, at: number, mark: number, n: number): number => {
  out[at++] = mark
  const text = String(n)
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i)
  out[at++] = 13
  out[at++] = 10
  return at
}

/**
 * Encodes one command as a single `Uint8Array`: binary-safe, one allocation for the result.
 * Lengths are worked out first, then everything is written in place: a command of 100 000
 * arguments costs one pass, not an encoder call and a copy per argument.
 *
 * @example
 * socket.write(encodeCommand(['SET', 'avatar', pngBytes, 'PX', 60_000]))
 */
export const encodeCommand = (command: Command): Uint8Array => {
  const wire = (command as Carrying)[WIRE]
  if (wire !== undefined) return wire
  const text = commandText(command)
  if (text !== undefined) return utf8.encode(text)
  const n = command.length
  const lengths = new Array<number>(n)
  let total = 1 + digits(n) + 2
  for (let i = 0; i < n; i++) {
    const arg = command[i]
    let length: number
    if (typeof arg === 'string') length = utf8Length(arg)
    else if (arg instanceof Uint8Array) length = arg.length
    else if (typeof arg === 'number') length = numberText(arg).length
    else throw badArg(arg)
    lengths[i] = length
    total += 1 + digits(length) + 2 + length + 2
  }
  const out = new Uint8Array(total)
  let at = writeHeader(out, 0, 0x2a, n)
  for (let i = 0; i < n; i++) {
    const given = command[i]
    const arg = typeof given === 'number' ? numberText(given) : (given as string | Uint8Array)
    at = writeArg(out, at, arg, lengths[i]!)
  }
  return out
}

/**
 * Writes one bulk string, `$<length>\r\n<bytes>\r\n`, at `at` (`length`: the arg's UTF-8 length);
 * returns the offset after it.
 */
export const writeArg = (out: Uint8Array, at: number, arg: string | Uint8Array, length: number): number => {
  at = writeHeader(out, at, 0x24, length)
  if (typeof arg !== 'string') out.set(arg, at)
  else if (length === arg.length && length < 64) {
    for (let j = 0; j < length; j++) out[at + j] = arg.charCodeAt(j)
  } else utf8.encodeInto(arg, out.subarray(at, at + length))
  at += length
  out[at++] = 13
  out[at++] = 10
  return at
}

/** Joins `parts` (whose lengths sum to `total`) into one new array. */
export const concatBytes = (parts: readonly Uint8Array[], total: number): Uint8Array => {
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
