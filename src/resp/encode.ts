/**
 * RESP command encoder: a command (strings, numbers, bytes) becomes the array of bulk strings the
 * server expects (RESP spec, "Sending commands to a Redis server"). Pure functions, no I/O.
 *
 * The common case, a command of strings and numbers only, is built as one JS string
 * (`commandText`) so a client can join many commands and encode them with one `TextEncoder` call
 * per socket write; commands carrying `Uint8Array` arguments take the byte path.
 */
import type { Arg, Command } from './types.ts'

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

const argBytes = (arg: Arg): Uint8Array => {
  if (typeof arg === 'string') return utf8.encode(arg)
  if (typeof arg === 'number') return utf8.encode(numberText(arg))
  if (arg instanceof Uint8Array) return arg
  throw badArg(arg)
}

/**
 * Encodes one command as a single `Uint8Array`: binary-safe, one allocation for the result.
 *
 * @example
 * socket.write(encodeCommand(['SET', 'avatar', pngBytes, 'PX', 60_000]))
 */
export const encodeCommand = (command: Command): Uint8Array => {
  const text = commandText(command)
  if (text !== undefined) return utf8.encode(text)
  const parts: Uint8Array[] = [utf8.encode(`*${command.length}\r\n`)]
  let total = parts[0]!.length
  for (const arg of command) {
    const bytes = argBytes(arg)
    const header = utf8.encode(`$${bytes.length}\r\n`)
    parts.push(header, bytes, CRLF)
    total += header.length + bytes.length + 2
  }
  return concatBytes(parts, total)
}

const CRLF = new Uint8Array([13, 10])

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
