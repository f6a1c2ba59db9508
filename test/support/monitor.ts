/**
 * A `MONITOR` connection to a test Valkey: every command Valkey executes, with the ones run
 * inside scripts and functions marked `lua`. Lets a test prove that a refused command never
 * reached Valkey, rather than only that the bridge answered with an error.
 */
import { connect, type Socket } from 'node:net'

export interface MonitorLine {
  /** `127.0.0.1:port` for a client's command, `lua` for one run by a script or function. */
  source: string
  /** The command and its arguments, as Valkey quoted them (the name upper- or lower-case). */
  args: string[]
}

export interface Monitor {
  /** Everything seen so far, after a PING round trip on a second connection has been seen too. */
  lines(): Promise<MonitorLine[]>
  close(): void
}

const parse = (line: string): MonitorLine | undefined => {
  const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line)
  if (!match) return undefined
  const args = [...match[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!)
  return { source: match[1]!, args }
}

/** Opens MONITOR on `port` and resolves once Valkey has acknowledged it. */
export const startMonitor = async (port: number): Promise<Monitor> => {
  const socket: Socket = connect(port, '127.0.0.1')
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (text += chunk))
  socket.write('MONITOR\r\n')
  while (!text.startsWith('+OK\r\n')) await new Promise((resolve) => setTimeout(resolve, 10))
  const marker = `monitor-marker-${Math.random().toString(36).slice(2)}`
  return {
    async lines() {
      // Valkey feeds monitors in execution order: once the marker shows, everything before it has.
      const probe = connect(port, '127.0.0.1')
      probe.write(`ECHO ${marker}\r\n`)
      while (!text.includes(marker)) await new Promise((resolve) => setTimeout(resolve, 10))
      probe.destroy()
      return text
        .split('\r\n')
        .map((line) => line.replace(/^\+/, ''))
        .map(parse)
        .filter((line): line is MonitorLine => line !== undefined && !line.args.includes(marker))
    },
    close: () => socket.destroy(),
  }
}
