/**
 * Encodes a large request's commands to RESP before they reach the upstream client, in pieces:
 * the client would encode them all in one synchronous call (10 000 commands of 10 arguments held
 * the event loop for 25-45 ms of CPU here), so the bridge writes them into one buffer itself,
 * returning to the event loop every 256 KiB, and attaches each command's bytes (`attachWire`).
 * A small request is left to the client, whose text path is faster for it. A long pipeline is
 * also handed to the client in parts (`pipelineInSlices`).
 */

import type { Reply } from '../client/types.ts'
import type { ReplyError } from '../errors.ts'
import { attachWire, utf8Length, writeArg, writeHeader } from '../resp/encode.ts'
import type { BridgeArg } from './request.ts'
import type { Upstream, UpstreamOptions } from './upstream.ts'

/** Requests smaller than this are encoded by the client, in one go. */
const AHEAD_MIN = 64 * 1024
/** Bytes written between two returns to the event loop. */
const SLICE = 256 * 1024
/** Commands handed to the upstream client at once, for a pipeline that need not be contiguous. */
const COMMANDS_AT_ONCE = 1000

const immediate: (run: () => void) => void =
  (globalThis as { setImmediate?: (run: () => void) => void }).setImmediate ??
  ((run) => void setTimeout(run, 0))
const pause = () => new Promise<void>((resolve) => immediate(resolve))

const size = (arg: BridgeArg): number => (typeof arg === 'string' ? utf8Length(arg) : arg.length)

/**
 * Encodes `commands` ahead when together they are large, yielding every 256 KiB written.
 *
 * @example
 * await encodeAhead(commands)
 * await upstream.pipeline(commands, options) // the client sends the attached bytes
 */
export const encodeAhead = async (commands: readonly BridgeArg[][]): Promise<void> => {
  let total = 0
  for (const command of commands) {
    total += 3 + String(command.length).length
    for (const arg of command) {
      const length = size(arg)
      total += 3 + String(length).length + length + 2
    }
  }
  if (total < AHEAD_MIN) return
  const out = new Uint8Array(total)
  let at = 0
  let yielded = 0
  for (const command of commands) {
    const start = at
    at = writeHeader(out, at, 0x2a, command.length)
    for (const arg of command) {
      at = writeArg(out, at, arg, size(arg))
      if (at - yielded >= SLICE) {
        await pause()
        yielded = at
      }
    }
    attachWire(command, out.subarray(start, at))
  }
}

/**
 * Sends a pipeline (not a transaction: its commands need not leave together) to the upstream
 * 1000 commands at a time, returning to the event loop in between: the client queues each command
 * with its own promise and timer, 10 000 of them 10-20 ms of CPU in one go. Replies come back in
 * order; a failure of any part fails the whole, as one `pipeline` call would.
 *
 * @example
 * const replies = await pipelineInSlices(upstream, commands, { bytes: false, timeout: 5000 })
 */
export const pipelineInSlices = async (
  upstream: Upstream,
  commands: readonly BridgeArg[][],
  options: UpstreamOptions,
): Promise<Array<Reply | ReplyError>> => {
  if (commands.length <= COMMANDS_AT_ONCE) return upstream.pipeline(commands as BridgeArg[][], options)
  const parts: Promise<Array<Reply | ReplyError>>[] = []
  for (let i = 0; i < commands.length; i += COMMANDS_AT_ONCE) {
    if (i > 0) await pause()
    parts.push(upstream.pipeline(commands.slice(i, i + COMMANDS_AT_ONCE), options))
  }
  return (await Promise.all(parts)).flat()
}
