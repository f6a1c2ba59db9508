/**
 * Starts real `valkey-server` processes for tests, each on a free loopback port, and stops them
 * afterwards even when a test fails or the test process dies. No fixed port, no reliance on a
 * server somebody left running, no skipping when Valkey is missing: the run fails and says why.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const INSTALL_HINT =
  'valkey-server not found: install it with `sudo bash scripts/install-valkey.sh` (Debian bookworm-backports), or put valkey-server on PATH'

/** Throws one line that says how to install Valkey when `valkey-server` is not on PATH. */
export const assertValkeyInstalled = (): string => {
  try {
    return execFileSync('valkey-server', ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(INSTALL_HINT)
  }
}

const children = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/**
 * Kills `child` when this process dies by any means. The 'exit' handler above does not run when a
 * test worker is killed by a signal (vitest tearing down a worker, Ctrl-C, a CI timeout), which
 * left `valkey-server` orphans behind. A tiny shell holds a pipe from this process: the pipe closes
 * when the process dies, however it dies, and the shell then SIGKILLs the server. A normal stop
 * kills the shell first, so it never signals a pid the system may since have reused.
 */
const watch = (child: ChildProcess): void => {
  if (child.pid === undefined) return
  const watchdog = spawn('sh', ['-c', `read _; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  })
  watchdog.on('error', () => {})
  watchdog.stdin!.on('error', () => {})
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref?: () => void }).unref?.()
  child.once('exit', () => watchdog.kill('SIGKILL'))
}

/** A port nobody is listening on right now, on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })

export interface ValkeyServer {
  readonly host: '127.0.0.1'
  readonly port: number
  /** `redis://127.0.0.1:<port>` (with the password when one was set). */
  readonly url: string
  readonly pid: number
  /** Runs `valkey-cli` against this server and returns its trimmed output. */
  cli(...args: string[]): string
  /** SIGSTOP: the server holds its connections open but answers nothing. */
  pause(): void
  /** SIGCONT after `pause()`. */
  resume(): void
  /** Kills the server and starts a new one on the same port (data is not kept). */
  restart(): Promise<void>
  stop(): Promise<void>
}

export interface ValkeyOptions {
  password?: string
  /** Extra `valkey-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[]
  port?: number
}

const launch = async (port: number, dir: string, options: ValkeyOptions): Promise<ChildProcess> => {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--loglevel',
    'notice',
    ...(options.password ? ['--requirepass', options.password] : []),
    ...(options.args ?? []),
  ]
  const child = spawn('valkey-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  watch(child)
  await new Promise<void>((resolve, reject) => {
    let log = ''
    const timer = setTimeout(
      () => fail(new Error(`valkey-server on port ${port} did not start in 10 s:\n${log}`)),
      10_000,
    )
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('error', (error) => fail(error.message.includes('ENOENT') ? new Error(INSTALL_HINT) : error))
    child.once('exit', (code) => fail(new Error(`valkey-server exited with code ${code}:\n${log}`)))
    let ready = false
    const onData = (chunk: Buffer) => {
      // Once ready, later log lines must not touch the exit listeners: stop() waits on one.
      if (ready) return
      log += chunk.toString()
      if (log.includes('Ready to accept connections')) {
        ready = true
        clearTimeout(timer)
        child.removeAllListeners('exit')
        child.once('exit', () => children.delete(child))
        resolve()
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
  })
  child.stdout!.resume()
  child.stderr!.resume()
  return child
}

/** Starts one `valkey-server` on a free loopback port and resolves when it accepts connections. */
export const startValkey = async (options: ValkeyOptions = {}): Promise<ValkeyServer> => {
  assertValkeyInstalled()
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-valkey-'))
  let port = options.port ?? (await freePort())
  let child: ChildProcess
  for (let attempt = 0; ; attempt++) {
    try {
      child = await launch(port, dir, options)
      break
    } catch (error) {
      // Another process may have taken the port between our probe and the server's bind.
      if (attempt >= 3 || options.port !== undefined) throw error
      port = await freePort()
    }
  }
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : ''
  const stopChild = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve()
      c.once('exit', () => resolve())
      c.kill('SIGCONT')
      c.kill('SIGKILL')
    })
  return {
    host: '127.0.0.1',
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    get pid() {
      return child.pid!
    },
    cli: (...args) =>
      execFileSync(
        'valkey-cli',
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          ...(options.password ? ['-a', options.password, '--no-auth-warning'] : []),
          ...args,
        ],
        {
          encoding: 'utf8',
        },
      ).trim(),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    restart: async () => {
      await stopChild(child)
      child = await launch(port, dir, options)
    },
    stop: async () => {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
