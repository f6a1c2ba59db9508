/**
 * A request body as the pieces in which it arrives, for the handler to parse while the rest is
 * still on its way. The socket is paused while more than 256 KiB wait to be read, so a slow
 * reader holds little; past `max` bytes the server's 413 takes over (`onTooLarge`) and the
 * handler's read fails. Once the handler has answered, whatever it did not read is read and
 * dropped, so the connection stays in step for its next request.
 */
import type { IncomingMessage } from 'node:http'
import { BadRequest } from '../request.ts'

const HIGH_WATER = 256 * 1024

export interface BodyPieces extends AsyncIterable<Uint8Array> {
  /** The handler is done with the body: drop the rest. */
  abandon(): void
}

/**
 * @example
 * const body = bodyPieces(req, bridge.maxBody, () => tooLarge(req, res))
 * for await (const piece of body) parser.write(piece)
 */
export const bodyPieces = (req: IncomingMessage, max: number, onTooLarge: () => void): BodyPieces => {
  const queue: Uint8Array[] = []
  let queued = 0
  let size = 0
  let ended = false
  let failed: Error | undefined
  let abandoned = false
  let wake: (() => void) | undefined
  const notify = () => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  req.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size > max) {
      if (failed === undefined) {
        failed = new BadRequest(413, 'ERR max request size exceeded')
        queue.length = 0
        onTooLarge()
        notify()
      }
      return
    }
    if (abandoned || failed !== undefined) return
    queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
    queued += chunk.length
    if (queued > HIGH_WATER) req.pause()
    notify()
  })
  req.once('end', () => {
    ended = true
    notify()
  })
  req.once('close', () => {
    // Closed before its end: the client went away mid-upload; what came is not the body.
    if (!ended) failed ??= new BadRequest(400, 'ERR the request body was cut short')
    ended = true
    notify()
  })
  return {
    abandon() {
      abandoned = true
      queue.length = 0
      req.resume()
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failed !== undefined) throw failed
        const piece = queue.shift()
        if (piece !== undefined) {
          queued -= piece.length
          if (queued <= HIGH_WATER && req.isPaused()) req.resume()
          yield piece
        } else if (ended) return
        else await new Promise<void>((resolve) => (wake = resolve))
      }
    },
  }
}
