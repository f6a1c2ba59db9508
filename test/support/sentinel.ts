/**
 * A real Sentinel deployment on loopback for tests: a primary, a replica and three Sentinels
 * (`valkey-sentinel`, Debian's package; `scripts/install-valkey.sh` installs it), each on a free
 * port, watching the primary as `mymaster` with quorum 2, `down-after-milliseconds` 1000 and
 * `failover-timeout` 3000. Resolves once every Sentinel sees the replica and both other Sentinels.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startValkey, type ValkeyServer } from './valkey.ts'

export const SENTINEL_HINT =
  'valkey-sentinel not found: install it with `sudo bash scripts/install-valkey.sh` (Debian bookworm-backports)'

export interface SentinelNode {
  readonly port: number
  /** Runs `valkey-cli` against this Sentinel. */
  cli(...args: string[]): string
  stop(): Promise<void>
}

export interface SentinelSetup {
  readonly name: 'mymaster'
  /** The data nodes as started: [primary, replica] (roles change with failovers). */
  readonly nodes: ValkeyServer[]
  readonly sentinels: SentinelNode[]
  /** `redis+sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/mymaster`. */
  readonly url: string
  /** The data node the Sentinels currently name as primary. */
  primary(): ValkeyServer
  stop(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const startSentinel = async (primaryPort: number, dir: string, index: number): Promise<SentinelNode> => {
  const port = await freePort()
  const file = join(dir, `sentinel-${index}.conf`)
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${primaryPort} 2`,
      'sentinel down-after-milliseconds mymaster 1000',
      'sentinel failover-timeout mymaster 3000',
      'sentinel parallel-syncs mymaster 1',
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn('valkey-sentinel', [file], { stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr!.resume()
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(error.message.includes('ENOENT') ? new Error(SENTINEL_HINT) : error),
    )
    child.once('spawn', () => resolve())
  })
  process.once('exit', () => child.kill('SIGKILL'))
  const cli = (...args: string[]) =>
    execFileSync('valkey-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' }).trim()
  for (let i = 0; ; i++) {
    try {
      if (cli('PING') === 'PONG') break
    } catch {}
    if (i > 100) throw new Error(`valkey-sentinel on ${port} did not start`)
    await sleep(50)
  }
  return {
    port,
    cli,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}

/** Field `name` of `SENTINEL master mymaster`'s flat reply, as valkey-cli prints it. */
const field = (text: string, name: string): string | undefined => {
  const lines = text.split('\n')
  const i = lines.indexOf(name)
  return i === -1 ? undefined : lines[i + 1]
}

/**
 * Starts primary + replica + 3 Sentinels and waits until they all know each other (about 5 s).
 *
 * @example
 * const setup = await startSentinels()
 * const client = createSentinelClient({ url: setup.url, connect })
 */
export const startSentinels = async (options: { replicas?: number } = {}): Promise<SentinelSetup> => {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-sentinel-'))
  const primary = await startValkey()
  const nodes = [primary]
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    nodes.push(await startValkey({ args: ['--replicaof', '127.0.0.1', String(primary.port)] }))
  }
  const sentinels: SentinelNode[] = []
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(primary.port, dir, i))
  const replicas = nodes.length - 1
  for (let i = 0; ; i++) {
    const ready = sentinels.every((s) => {
      const info = s.cli('SENTINEL', 'master', 'mymaster')
      return field(info, 'num-slaves') === String(replicas) && field(info, 'num-other-sentinels') === '2'
    })
    const linked = nodes.slice(1).every((n) => n.cli('INFO', 'replication').includes('master_link_status:up'))
    if (ready && linked) break
    if (i > 300) throw new Error('the Sentinels did not discover each other and the replica within 30 s')
    await sleep(100)
  }
  return {
    name: 'mymaster',
    nodes,
    sentinels,
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/mymaster`,
    primary() {
      const port = Number(sentinels[0]!.cli('SENTINEL', 'get-master-addr-by-name', 'mymaster').split('\n')[1])
      return nodes.find((n) => n.port === port)!
    },
    async stop() {
      for (const s of sentinels) await s.stop()
      for (const n of nodes) await n.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
