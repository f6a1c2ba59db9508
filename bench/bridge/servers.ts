/**
 * The processes the bridge benchmark compares, each started here and stopped at the end: the
 * bridge (the CLI, one process or `--workers N`), a do-nothing node:http POST server (the
 * ceiling), and webdis (Debian package) pointed at the same Valkey.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { freePort } from '../../test/support/valkey.ts'

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

export interface Started {
  url: string
  /** The process ids serving (a cluster's primary and its workers). */
  pids(): number[]
  stop(): Promise<void>
}

/** Child process ids of `pid`, read from /proc (Linux). */
const childrenOf = (pid: number): number[] => {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid) out.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** CPU time (user + system) of `pids` so far, in microseconds (Linux). */
export const cpuMicros = (pids: number[]): number => {
  let ticks = 0
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10_000
}

const launch = (
  command: string,
  args: string[],
  ready: RegExp | ((port: number) => Promise<void>),
  port: number,
) =>
  new Promise<Started>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    children.add(child)
    let log = ''
    const fail = (why: string) => reject(new Error(`${command} ${why}:\n${log}`))
    child.once('exit', (code) => fail(`exited (${code}) before it was ready`))
    const stop = () =>
      new Promise<void>((done) => {
        children.delete(child)
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 5000).unref()
      })
    const started = () => {
      child.removeAllListeners('exit')
      const pid = child.pid!
      resolve({ url: `http://127.0.0.1:${port}`, pids: () => [pid, ...childrenOf(pid)], stop })
    }
    const onData = (chunk: Buffer) => {
      log += chunk
      if (ready instanceof RegExp && ready.test(log)) started()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    if (typeof ready === 'function') ready(port).then(started, (e: Error) => fail(e.message))
  })

/**
 * Bundles `entry` (relative to this folder) into `dir` with esbuild and returns the file: the
 * servers run as plain JavaScript, as `npm run build` ships them. (Under tsx every closure is
 * wrapped to keep its name, which would add a few µs to each request.)
 */
export const bundle = async (entry: string, dir: string): Promise<string> => {
  const outfile = join(dir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.mjs'))
  await build({
    entryPoints: [join(import.meta.dirname, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
  return outfile
}

/** The floodgate bridge CLI (bundled by `bundle`). */
export const startBridgeCli = async (
  cli: string,
  upstream: string,
  token: string,
  workers = 1,
): Promise<Started> => {
  const port = await freePort()
  const args = [cli, 'bridge', '--listen', `127.0.0.1:${port}`, '--upstream', upstream]
  args.push('--token', token, '--workers', String(workers), '--log-level', 'warn')
  return launch(process.execPath, args, /listening on /, port)
}

/** The bridge behind node:http through `Request`/`Response` (web-server.ts). */
export const startWebBridge = async (script: string, upstream: string, token: string): Promise<Started> => {
  const port = await freePort()
  return launch(process.execPath, [script, String(port), upstream, token], /ready/, port)
}

/** A node:http server that reads the POST body and answers `{"result":"OK"}`: the ceiling. */
export const startNoop = async (): Promise<Started> => {
  const port = await freePort()
  const source = `
const http = require('node:http')
const body = JSON.stringify({ result: 'OK' })
http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
}).listen(${port}, '127.0.0.1', () => console.log('ready'))`
  return launch(process.execPath, ['-e', source], /ready/, port)
}

/** webdis 0.1.9 (Debian) with a JSON config in `dir`, 2 threads, on the same Valkey. */
export const startWebdis = async (dir: string, valkeyPort: number): Promise<Started> => {
  const port = await freePort()
  const config = join(dir, 'webdis.json')
  writeFileSync(
    config,
    JSON.stringify({
      redis_host: '127.0.0.1',
      redis_port: valkeyPort,
      redis_auth: null,
      http_host: '127.0.0.1',
      http_port: port,
      threads: 2,
      pool_size: 20,
      daemonize: false,
      database: 0,
      acl: [{ disabled: ['DEBUG', 'FLUSHALL', 'FLUSHDB'] }],
      verbosity: 0,
      logfile: join(dir, 'webdis.log'),
    }),
  )
  const probe = async (p: number) => {
    for (let i = 0; i < 100; i++) {
      try {
        const response = await fetch(`http://127.0.0.1:${p}/PING`)
        if (response.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('webdis did not answer /PING within 5 s')
  }
  return launch('/usr/bin/webdis', [config], probe, port)
}
