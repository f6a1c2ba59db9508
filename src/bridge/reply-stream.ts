/**
 * A response body for a JSON-ready reply. A small one is `JSON.stringify`'d at once; a large one
 * (a 10 MB `GET`, an `LRANGE` of a million elements) becomes a stream that writes the same text in
 * 64 KiB pieces, returning to the event loop before each, so no reply holds the bridge for the
 * time it takes to stringify and encode all of it. Long strings are cut between code points, so
 * the text is exactly what `JSON.stringify` would have produced.
 */

/** Replies whose strings and elements add up to less than this are stringified in one go. */
export const STREAM_MIN = 256 * 1024
/** Text produced between two returns to the event loop. */
const PIECE = 64 * 1024

const immediate: (run: () => void) => void =
  (globalThis as { setImmediate?: (run: () => void) => void }).setImmediate ??
  ((run) => void setTimeout(run, 0))
const pause = () => new Promise<void>((resolve) => immediate(resolve))
const utf8 = new TextEncoder()

/**
 * A JSON string too long to build in one go (the base64 of a 10 MB value): its length, and its
 * escaped text (without the quotes) in pieces, made only as the response is written.
 */
export class PiecewiseString {
  readonly length: number
  readonly pieces: () => Iterable<string>
  constructor(length: number, pieces: () => Iterable<string>) {
    this.length = length
    this.pieces = pieces
  }
}

/** Whether `value` holds at least STREAM_MIN characters; stops looking once it knows. */
const isLarge = (value: unknown): boolean => {
  let left = STREAM_MIN
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const next = stack.pop()
    if (typeof next === 'string' || next instanceof PiecewiseString) left -= next.length
    else if (Array.isArray(next)) {
      left -= next.length
      if (left <= 0) return true
      for (const item of next) stack.push(item)
    } else if (next !== null && typeof next === 'object') stack.push(...Object.values(next))
    else left -= 8
    if (left <= 0) return true
  }
  return false
}

/** The JSON text of `value`, in parts of bounded size. */
function* parts(value: unknown): Generator<string> {
  if (typeof value === 'string' && value.length > PIECE) {
    yield '"'
    for (let from = 0; from < value.length; ) {
      let to = Math.min(value.length, from + PIECE)
      // Never between the two halves of a surrogate pair.
      const last = value.charCodeAt(to - 1)
      if (to < value.length && last >= 0xd800 && last <= 0xdbff) to--
      yield JSON.stringify(value.slice(from, to)).slice(1, -1)
      from = to
    }
    yield '"'
  } else if (value instanceof PiecewiseString) {
    yield '"'
    yield* value.pieces()
    yield '"'
  } else if (Array.isArray(value)) {
    yield '['
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ','
      yield* parts(value[i])
    }
    yield ']'
  } else if (value !== null && typeof value === 'object') {
    let first = true
    yield '{'
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue
      yield `${first ? '' : ','}${JSON.stringify(key)}:`
      first = false
      yield* parts(item)
    }
    yield '}'
  } else yield JSON.stringify(value) ?? 'null'
}

/**
 * `JSON.stringify(value)`, or for a large value the same text as a stream of UTF-8 pieces.
 *
 * @example
 * const body = jsonBody({ result: reply }) // string | ReadableStream<Uint8Array>
 */
export const jsonBody = (value: unknown): string | ReadableStream<Uint8Array> => {
  if (!isLarge(value)) return JSON.stringify(value)
  const text = parts(value)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await pause()
      let piece = ''
      for (;;) {
        const next = text.next()
        if (next.done) {
          if (piece !== '') controller.enqueue(utf8.encode(piece))
          controller.close()
          return
        }
        piece += next.value
        if (piece.length >= PIECE) {
          controller.enqueue(utf8.encode(piece))
          return
        }
      }
    },
  })
}
