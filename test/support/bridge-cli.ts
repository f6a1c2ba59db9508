/**
 * Starts the `floodgate bridge` CLI in a child process (through tsx, from the sources) and
 * resolves once it prints its ready line, `listening on http://…`. Used by the CLI tests and by
 * `bench/limiter`, which both need the bridge as users run it: a process of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

export const BRIDGE_CLI = join(import.meta.dirname, '../../src/bridge/node/cli.ts')

export interface BridgeProcess {
  readonly child: ChildProcess
  /** The URL from the ready line. */
  readonly url: string
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>
  /** What the process wrote to stderr so far. */
  stderr(): string
}

/**
 * `floodgate bridge <args>`, with `env` added to this process's environment and `nodeArgs` (e.g.
 * `['--import', hook]`) given to node.
 */
export const spawnBridge = async (
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<BridgeProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, BRIDGE_CLI, 'bridge', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    // The listener stays: stdout keeps being drained after the ready line.
    child.stdout!.on('data', (chunk) => {
      out += chunk
      const match = /listening on (http:\/\/\S+)\n/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) =>
      reject(new Error(`the bridge CLI exited (${code}) before listening:\n${stderr}`)),
    )
  })
  return { child, url, exited, stderr: () => stderr }
}

/** A bridge on a free loopback port in front of `upstream`, one full `token`, logging errors only. */
export const spawnQuietBridge = (upstream: string, token: string): Promise<BridgeProcess> =>
  spawnBridge(['--upstream', upstream, '--token', token, '--listen', '127.0.0.1:0', '--log-level', 'error'])
