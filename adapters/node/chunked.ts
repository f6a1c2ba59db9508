/**
 * HTTP/1.1 chunked framing taken off a body as it arrives (RFC 9112 §7.1), whatever the reads cut
 * it into: chunk extensions (`;name=value`) and trailers carry nothing `nodeFetch()` or
 * `nodeStreamFetch()` use and are dropped. The data goes on as views of the bytes read.
 */

/** Longest chunk-size line (or trailer line) read before the body is refused. */
const LINE_MAX = 4096

export class ChunkedDecoder {
  /** Bytes left in the current chunk. */
  #left = 0
  /** A chunk-size line (or the CRLF after a chunk's data) cut by the read's end. */
  #line = ''
  #afterData = false
  #trailers = false

  /**
   * Reads `data` from `pos`, handing each piece of body data to `onData`: where the body ended
   * in `data` (after its trailers), or -1 when it needs more. Throws a `TypeError` ("terminated:
   * …", as fetch words a broken body) on bad framing.
   */
  feed(data: Buffer, pos: number, onData: (view: Buffer) => void): number {
    while (pos < data.length) {
      if (this.#left > 0) {
        const take = Math.min(this.#left, data.length - pos)
        onData(data.subarray(pos, pos + take))
        pos += take
        this.#left -= take
        this.#afterData = this.#left === 0
        continue
      }
      const lf = data.indexOf(10, pos)
      if (lf === -1) {
        this.#line += data.toString('latin1', pos)
        if (this.#line.length > LINE_MAX)
          throw new TypeError('terminated: a chunk-size line longer than 4 KiB')
        return -1
      }
      const line = (this.#line + data.toString('latin1', pos, lf)).replace(/\r$/, '')
      this.#line = ''
      pos = lf + 1
      if (this.#afterData) {
        this.#afterData = false
        if (line !== '') throw new TypeError('terminated: no CRLF after a chunk')
      } else if (this.#trailers) {
        if (line === '') return pos
      } else {
        const size = /^[0-9a-fA-F]{1,12}/.exec(line)?.[0]
        if (size === undefined) throw new TypeError(`terminated: a bad chunk size: ${line.slice(0, 40)}`)
        this.#left = Number.parseInt(size, 16)
        this.#trailers = this.#left === 0
      }
    }
    return -1
  }
}
