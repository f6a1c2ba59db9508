/**
 * Runs `wrk` (Debian package) against one URL and reads its report: requests/s, p50 and p99
 * latency, and the count of non-2xx answers and socket errors (a run with errors is not a
 * throughput figure, so the caller fails loudly on them).
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface WrkResult {
  rps: number
  p50us: number
  p99us: number
  errors: number
}

const UNITS: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000 }

const micros = (text: string, label: string): number => {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text)
  if (!match) throw new Error(`wrk printed no ${label} latency:\n${text}`)
  return Math.round(Number(match[1]) * UNITS[match[2]!]!)
}

/** Writes a wrk Lua script that POSTs `body` with the bearer token; returns its path. */
export const postScript = (dir: string, name: string, body: string, token: string): string => {
  const path = join(dir, `${name}.lua`)
  writeFileSync(
    path,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(body)}`,
      'wrk.headers["Content-Type"] = "application/json"',
      `wrk.headers["Authorization"] = "Bearer ${token}"`,
      '',
    ].join('\n'),
  )
  return path
}

/** `wrk -t1 -c<connections> -d<seconds>s --latency [-s script] url`. */
export const wrk = (
  url: string,
  options: { seconds: number; connections: number; script?: string },
): Promise<WrkResult> =>
  new Promise((resolve, reject) => {
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency']
    if (options.script) args.push('-s', options.script)
    args.push(url)
    execFile('wrk', args, { timeout: (options.seconds + 30) * 1000 }, (error, stdout) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stdout}`))
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
      if (!rps) return reject(new Error(`wrk printed no Requests/sec:\n${stdout}`))
      const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
      const errors =
        Number(non2xx?.[1] ?? 0) + (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0)
      resolve({ rps: Number(rps[1]), p50us: micros(stdout, '50%'), p99us: micros(stdout, '99%'), errors })
    })
  })
