/**
 * The `Floodgate-Command` header, floodgate's one addition to the Upstash REST protocol: a
 * request with no body may carry its command (on `/`) or commands (on `/pipeline`,
 * `/multi-exec`) as JSON in this header. The bridge says it reads it on every command answer
 * (`floodgate-accepts: floodgate-command`), and the HTTP client sends it only after such an
 * answer. Why: Node's global fetch (undici) builds a web ReadableStream for every request body,
 * 120 µs of CPU out of 340 per request to a bare server on the 2-core bench machine, and a header
 * costs next to nothing.
 */

/** The request header that carries the command, lower-cased as both sides read it. */
export const COMMAND_HEADER = 'floodgate-command'

/** The answer header and value by which the bridge says it reads `COMMAND_HEADER`. */
export const ACCEPTS_HEADER = 'floodgate-accepts'

/** Any character a header value cannot carry as it is: all but printable ASCII. */
export const NOT_HEADER_TEXT = /[^\x20-\x7e]/

/**
 * `json` as a header value no longer than `cap`, or undefined. JSON escapes control characters
 * already, and any other character past ASCII is escaped as `\uXXXX` (surrogate pairs as two),
 * which reads back as the same string.
 *
 * @example
 * asHeader('["SET","k","é"]', 8000) // '["SET","k","\\u00e9"]'
 */
export const asHeader = (json: string, cap: number): string | undefined => {
  const ascii = NOT_HEADER_TEXT.test(json)
    ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json
  return ascii.length <= cap ? ascii : undefined
}
