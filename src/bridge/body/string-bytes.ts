/**
 * The bytes of one JSON string, gathered as the body streams through the parser. A string without
 * escapes stays the body's own bytes: runs that sit side by side in one buffer (pieces of one
 * body) join into one view, so a 10 MB value is never copied or decoded on its way to the RESP
 * encoder. The first escape switches to a growable copy. `\uXXXX` escapes become UTF-8; a lone
 * surrogate becomes U+FFFD (EF BF BD), the bytes `TextEncoder` sent for it when the body went
 * through `JSON.parse`.
 */

const REPLACEMENT = [0xef, 0xbf, 0xbd]

export class StringBytes {
  /** Views of the body, in order, while no escape was seen. */
  #pieces: Uint8Array[] = []
  /** The copy, once an escape was seen. */
  #copy: Uint8Array | undefined
  #length = 0
  /** A high surrogate from `\uD8xx`, waiting for its low half. */
  #high = 0

  get length(): number {
    return this.#length
  }

  /** Appends a run of the body's bytes (no escapes in it). */
  run(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    if (this.#high !== 0) this.#unpaired()
    if (this.#copy !== undefined) {
      this.#append(bytes)
      return
    }
    const last = this.#pieces[this.#pieces.length - 1]
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.#pieces[this.#pieces.length - 1] = new Uint8Array(
        last.buffer,
        last.byteOffset,
        last.length + bytes.length,
      )
    } else this.#pieces.push(bytes)
    this.#length += bytes.length
  }

  /** Appends the byte of a one-letter escape (`\n` -> 0x0a). */
  byte(value: number): void {
    if (this.#high !== 0) this.#unpaired()
    this.#one(value)
  }

  /** Appends the UTF-16 code unit of a `\uXXXX` escape. */
  unit(unit: number): void {
    if (this.#high !== 0) {
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        const point = 0x10000 + ((this.#high - 0xd800) << 10) + (unit - 0xdc00)
        this.#high = 0
        this.#one(0xf0 | (point >> 18))
        this.#one(0x80 | ((point >> 12) & 0x3f))
        this.#one(0x80 | ((point >> 6) & 0x3f))
        this.#one(0x80 | (point & 0x3f))
        return
      }
      this.#unpaired()
    }
    if (unit < 0x80) this.#one(unit)
    else if (unit < 0x800) {
      this.#one(0xc0 | (unit >> 6))
      this.#one(0x80 | (unit & 0x3f))
    } else if (unit >= 0xd800 && unit <= 0xdbff) this.#high = unit
    else if (unit >= 0xdc00 && unit <= 0xdfff) for (const b of REPLACEMENT) this.#one(b)
    else {
      this.#one(0xe0 | (unit >> 12))
      this.#one(0x80 | ((unit >> 6) & 0x3f))
      this.#one(0x80 | (unit & 0x3f))
    }
  }

  /** The string's bytes (a view of the body when it had no escapes). */
  bytes(): Uint8Array {
    if (this.#high !== 0) this.#unpaired()
    if (this.#copy !== undefined) return this.#copy.subarray(0, this.#length)
    if (this.#pieces.length === 1) return this.#pieces[0]!
    const out = new Uint8Array(this.#length)
    let offset = 0
    for (const piece of this.#pieces) {
      out.set(piece, offset)
      offset += piece.length
    }
    return out
  }

  #unpaired(): void {
    this.#high = 0
    for (const b of REPLACEMENT) this.#one(b)
  }

  #one(value: number): void {
    if (this.#copy === undefined || this.#length === this.#copy.length) this.#grow(1)
    this.#copy![this.#length++] = value
  }

  #append(bytes: Uint8Array): void {
    if (this.#length + bytes.length > this.#copy!.length) this.#grow(bytes.length)
    this.#copy!.set(bytes, this.#length)
    this.#length += bytes.length
  }

  #grow(more: number): void {
    const old = this.#copy
    const next = new Uint8Array(Math.max(64, (this.#length + more) * 2))
    if (old !== undefined) next.set(old.subarray(0, this.#length))
    else {
      let offset = 0
      for (const piece of this.#pieces) {
        next.set(piece, offset)
        offset += piece.length
      }
      this.#pieces = []
    }
    this.#copy = next
  }
}

const text = new TextDecoder('utf-8', { ignoreBOM: true })

/** The text of `bytes[from, to)`; short ASCII runs decode faster by hand than through TextDecoder. */
export const textOf = (bytes: Uint8Array, from: number, to: number): string => {
  if (to - from > 32) return text.decode(bytes.subarray(from, to))
  let out = ''
  for (let i = from; i < to; i++) {
    const byte = bytes[i]!
    if (byte > 127) return text.decode(bytes.subarray(from, to))
    out += String.fromCharCode(byte)
  }
  return out
}
