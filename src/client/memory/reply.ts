/**
 * The memory backend's reply vocabulary: status replies kept apart from bulk strings (they stay
 * strings when the caller asks for bytes, as on the wire), and the error replies Valkey 8 gives,
 * word for word, so a caller branching on `ReplyError.code` sees the same codes on both backends.
 */
import { ReplyError } from '../../errors.ts'
import type { Reply } from '../types.ts'

/** A RESP simple-string reply (`+OK`), as opposed to a bulk string. */
export class Status {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
}

export const OK: Status = new Status('OK')
export const PONG: Status = new Status('PONG')

/**
 * An integer reply: a number, or past 2^53 its decimal string, as the RESP decoder gives it. The
 * string travels as a `Status` so it is never turned into bytes.
 */
export const integer = (n: number | string): number | Status => (typeof n === 'number' ? n : new Status(n))

/** What a command handler returns: a reply, where status replies are `Status` objects. */
export type Out = Reply | Status | Out[]

export const syntaxError = (): ReplyError => new ReplyError('ERR syntax error')
export const wrongType = (): ReplyError =>
  new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')
export const notInteger = (): ReplyError => new ReplyError('ERR value is not an integer or out of range')
export const notFloat = (): ReplyError => new ReplyError('ERR value is not a valid float')
export const overflow = (): ReplyError => new ReplyError('ERR increment or decrement would overflow')
export const nanOrInfinity = (): ReplyError => new ReplyError('ERR increment would produce NaN or Infinity')
export const invalidExpire = (command: string): ReplyError =>
  new ReplyError(`ERR invalid expire time in '${command.toLowerCase()}' command`)
export const wrongArity = (command: string): ReplyError =>
  new ReplyError(`ERR wrong number of arguments for '${command.toLowerCase()}' command`)
