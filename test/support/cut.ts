/**
 * `cutAt(bytes, points)`: `bytes` as the chunks a socket could deliver them in, for decoder tests
 * that must give the same result however the stream is cut (STYLE.md: every fixture whole and
 * fed in pieces).
 */

/**
 * `bytes` cut at `points` (each taken modulo `bytes.length + 1`, so any number will do; repeats
 * dropped, order ignored), in stream order, each a copy of its own as a socket hands them over.
 *
 * @example
 * cutAt(new Uint8Array([1, 2, 3]), [2]) // [Uint8Array [1, 2], Uint8Array [3]]
 */
export const cutAt = (bytes: Uint8Array, points: readonly number[]): Uint8Array[] => {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const point of [...sorted, bytes.length]) {
    chunks.push(bytes.slice(from, point))
    from = point
  }
  return chunks
}
