/**
 * A command between `send` and its reply, and the batching of queued commands into the bytes of
 * one socket write (joined as text, encoded once, when no argument is binary).
 */
import { ReplyError } from '../../errors.ts'
import type { Decoded } from '../../resp/decode.ts'
import { concatBytes } from '../../resp/encode.ts'
import type { Reply } from '../types.ts'
import type { Fifo } from './fifo.ts'

const utf8 = new TextEncoder()

export class Pending {
  done = false
  /** When a shared deadline queue times it out (`performance.now()` ms); 0 when it has its own timer or none. */
  deadline = 0
  cleanup: (() => void) | undefined = undefined
  /** The encoded command until it is written. */
  payload: string | Uint8Array
  /** The command's name, for error messages (never its arguments: they may be secrets). */
  readonly name: string
  readonly bytes: boolean
  /** Resolve with a ReplyError instead of rejecting (pipelines). */
  readonly soft: boolean
  readonly #resolve: (reply: Reply | ReplyError) => void
  readonly #reject: (error: unknown) => void

  constructor(
    payload: string | Uint8Array,
    name: string,
    options: { bytes: boolean; soft: boolean },
    resolve: (reply: Reply | ReplyError) => void,
    reject: (error: unknown) => void,
  ) {
    this.payload = payload
    this.name = name
    this.bytes = options.bytes
    this.soft = options.soft
    this.#resolve = resolve
    this.#reject = reject
  }

  /** Answers with the server's reply; false when it was already settled (timed out). */
  settle(reply: Decoded): boolean {
    if (this.done) return false
    this.done = true
    this.cleanup?.()
    if (reply instanceof ReplyError && !this.soft) this.#reject(reply)
    else this.#resolve(reply as Reply)
    return true
  }

  /** Rejects with `error`; false when it was already settled. */
  fail(error: unknown): boolean {
    if (this.done) return false
    this.done = true
    this.payload = ''
    this.cleanup?.()
    this.#reject(error)
    return true
  }
}

/**
 * Moves every live command from `unsent` to `sent` and returns one write for all of them: the RESP
 * text when no argument is binary, else bytes; `undefined` when none is left (all timed out
 * before a connection came).
 */
export const takeBatch = (unsent: Fifo<Pending>, sent: Fifo<Pending>): string | Uint8Array | undefined => {
  let text = ''
  let parts: Uint8Array[] | undefined
  let total = 0
  const flushText = () => {
    const bytes = utf8.encode(text)
    parts!.push(bytes)
    total += bytes.length
    text = ''
  }
  while (unsent.length > 0) {
    const entry = unsent.shift()!
    if (entry.done) continue
    sent.push(entry)
    const payload = entry.payload
    entry.payload = ''
    if (typeof payload === 'string') text += payload
    else {
      parts ??= []
      if (text !== '') flushText()
      parts.push(payload)
      total += payload.length
    }
  }
  if (parts === undefined) return text === '' ? undefined : text
  if (text !== '') flushText()
  return parts.length === 1 ? parts[0] : concatBytes(parts, total)
}
