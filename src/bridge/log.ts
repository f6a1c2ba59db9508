/**
 * One-line JSON logs: `{"time":"...","level":"info","msg":"listening","url":"..."}`. The bridge
 * never hands a token, a header or a request URL to the logger (path-style URLs carry values,
 * `_token` carries the secret), so nothing secret can reach a log line.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Receives one log record; the default writes it as one JSON line with `console.log`. */
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void

/**
 * A logger writing one JSON object per line. Errors are reduced to their name and message.
 *
 * @example
 * const log = jsonLogger()
 * log('info', 'listening', { url: 'http://127.0.0.1:8079' })
 */
export const jsonLogger =
  (write: (line: string) => void = (line) => console.log(line), minimum: LogLevel = 'info'): Logger =>
  (level, msg, fields) => {
    if (RANK[level] < RANK[minimum]) return
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg }
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        record[key] = value instanceof Error ? `${value.name}: ${value.message}` : value
      }
    }
    write(JSON.stringify(record))
  }

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** A logger that drops everything (the handler's default when embedded in an app). */
export const silentLogger: Logger = () => {}
