/**
 * Starts a real local Valkey Cluster for tests: 3 primaries and 3 replicas, each a `valkey-server`
 * from `startValkey()` on a free loopback port, joined with `valkey-cli --cluster create`. Helpers
 * kill a node (SIGKILL), promote a replica (`CLUSTER FAILOVER`), add a replica, and move slots with
 * `valkey-cli --cluster reshard`, all without blocking the event loop, so a load can run meanwhile.
 * `stop()` ends every node, whatever state the cluster is in.
 */
import { execFile } from 'node:child_process'
import { startValkey, type ValkeyServer } from './valkey.ts'

/** One line of `CLUSTER NODES`, parsed. */
export interface NodeView {
  id: string
  port: number
  role: 'primary' | 'replica'
  /** The primary's id for a replica, `undefined` for a primary. */
  primaryId: string | undefined
  failed: boolean
  /** Slot ranges `[from, to]` (inclusive) a primary serves. */
  slots: Array<[number, number]>
}

export interface ValkeyCluster {
  /** Every node started, in start order; a killed node stays listed. */
  readonly servers: readonly ValkeyServer[]
  /** `127.0.0.1:<port>` of the three nodes that were primaries at startup. */
  readonly seeds: readonly string[]
  /** `redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`: the seeds as one URL. */
  readonly url: string
  /** Runs `valkey-cli -p <port> ...args` without blocking and returns its trimmed output. */
  cli(port: number, ...args: string[]): Promise<string>
  /** `CLUSTER NODES` as seen by a live node. */
  view(): Promise<NodeView[]>
  /** The port of the primary that serves `slot` right now. */
  primaryOf(slot: number): Promise<number>
  /** The port of a live replica of the primary on `port`. */
  replicaOf(port: number): Promise<number>
  /** SIGKILL the node on `port`; it answers nothing from then on. */
  kill(port: number): void
  /**
   * Starts one more node and joins it as a replica of the primary on `port` (`valkey-cli --cluster
   * add-node --cluster-slave`); resolves with its port once it is in sync. A shard with two replicas
   * still has one after a failover, so `WAIT 1` keeps being answered.
   */
  addReplica(port: number): Promise<number>
  /**
   * Of the replicas on `ports`, the one holding the most of its primary's writes (the highest
   * `slave_repl_offset`): the one the cluster's election would prefer, and the one to take over by hand.
   */
  mostUpToDate(ports: readonly number[]): Promise<number>
  /** `CLUSTER FAILOVER [mode]` on the replica on `port`; resolves when every live node sees it as primary. */
  failover(port: number, mode?: 'FORCE' | 'TAKEOVER'): Promise<void>
  /** Resolves when the replica on `port` has been promoted (by anyone) and every live node agrees. */
  waitPrimary(port: number, timeoutMs?: number): Promise<void>
  /**
   * Moves `slots` slots from the primary on `from` to the primary on `to` with
   * `valkey-cli --cluster reshard`, keys included. It moves the lowest slots `from` owns.
   */
  reshard(from: number, to: number, slots: number): Promise<void>
  /** Resolves when every live node says `cluster_state:ok` and agrees on who serves every slot. */
  waitHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export interface ClusterOptions {
  /** `cluster-node-timeout` in ms: how long before a silent node counts as failed. Default 1000. */
  nodeTimeout?: number
}

const run = (file: string, args: string[], timeoutMs = 60_000): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`))
      else resolve(stdout.trim())
    })
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Parses the text of `CLUSTER NODES` (one node per line: id, addr, flags, primary, ..., slots). */
export const parseNodes = (text: string): NodeView[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, addr, flags, primary, , , , , ...slotFields] = line.trim().split(' ')
      const port = Number(addr!.split('@')[0]!.split(':').at(-1))
      const flagList = flags!.split(',')
      const slots: Array<[number, number]> = []
      for (const field of slotFields) {
        if (field.startsWith('[')) continue // a slot being imported or migrated
        const [from, to] = field.split('-')
        slots.push([Number(from), Number(to ?? from)])
      }
      return {
        id: id!,
        port,
        role: flagList.includes('master') ? 'primary' : 'replica',
        primaryId: primary === '-' ? undefined : primary,
        failed: flagList.includes('fail') || flagList.includes('fail?') || flagList.includes('noaddr'),
        slots,
      }
    })

const until = async (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch (error) {
      last = error
    }
    await sleep(50)
  }
  throw new Error(`cluster: ${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`)
}

/** Starts 3 primaries + 3 replicas and resolves once the cluster is healthy and replicas are in sync. */
export const startCluster = async (options: ClusterOptions = {}): Promise<ValkeyCluster> => {
  const nodeTimeout = options.nodeTimeout ?? 1000
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']
  args.push('--cluster-node-timeout', String(nodeTimeout), '--cluster-replica-validity-factor', '0')
  const servers: ValkeyServer[] = []
  const killed = new Set<number>()
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()))
  }
  const started = await Promise.allSettled(Array.from({ length: 6 }, () => startValkey({ args })))
  for (const result of started) if (result.status === 'fulfilled') servers.push(result.value)
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    await stop()
    throw failed.reason
  }
  const live = () => servers.filter((server) => !killed.has(server.port))
  const cli = (port: number, ...rest: string[]) =>
    run('valkey-cli', ['-h', '127.0.0.1', '-p', String(port), ...rest])
  const view = async () => {
    let last: unknown
    for (const server of live()) {
      try {
        return parseNodes(await cli(server.port, 'CLUSTER', 'NODES'))
      } catch (error) {
        last = error
      }
    }
    throw new Error(`cluster: no live node answered CLUSTER NODES: ${String(last)}`)
  }
  const slotMap = (nodes: NodeView[]) =>
    nodes
      .filter((node) => node.role === 'primary' && !node.failed && node.slots.length > 0)
      .map((node) => `${node.port}:${node.slots.map(([a, b]) => `${a}-${b}`).join(',')}`)
      .sort()
      .join(' ')
  const waitHealthy = (timeoutMs = 20_000) =>
    until('every node reporting cluster_state:ok with one slot map', timeoutMs, async () => {
      const maps = new Set<string>()
      for (const server of live()) {
        if (!(await cli(server.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false
        const nodes = parseNodes(await cli(server.port, 'CLUSTER', 'NODES'))
        // A node still marked as failing somewhere means the news has not reached everyone yet.
        if (nodes.some((node) => node.failed !== killed.has(node.port))) return false
        maps.add(slotMap(nodes))
      }
      return maps.size === 1
    })
  const replicasInSync = () =>
    until('every replica in sync with its primary', 20_000, async () => {
      for (const node of await view()) {
        if (node.role !== 'replica' || killed.has(node.port)) continue
        if (!(await cli(node.port, 'INFO', 'replication')).includes('master_link_status:up')) return false
      }
      return true
    })
  const waitPrimary = async (port: number, timeoutMs = 20_000) => {
    await until(`the promotion of the replica on port ${port}`, timeoutMs, async () =>
      (await cli(port, 'ROLE')).startsWith('master'),
    )
    await waitHealthy(timeoutMs)
  }

  try {
    await run('valkey-cli', [
      '--cluster',
      'create',
      ...servers.map((server) => `127.0.0.1:${server.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ])
    await waitHealthy()
    await replicasInSync()
  } catch (error) {
    await stop()
    throw error
  }
  const primaries = (await view()).filter((node) => node.role === 'primary').map((node) => node.port)
  const seeds = primaries.map((port) => `127.0.0.1:${port}`)

  return {
    servers,
    seeds,
    url: `redis://${seeds.join(',')}`,
    cli,
    view,
    primaryOf: async (slot) => {
      const owner = (await view()).find(
        (node) =>
          node.role === 'primary' && !node.failed && node.slots.some(([a, b]) => a <= slot && slot <= b),
      )
      if (!owner) throw new Error(`cluster: no primary serves slot ${slot}`)
      return owner.port
    },
    replicaOf: async (port) => {
      const nodes = await view()
      const primary = nodes.find((node) => node.port === port)
      const replica = nodes.find((node) => node.primaryId === primary?.id && !killed.has(node.port))
      if (!replica) throw new Error(`cluster: the node on port ${port} has no live replica`)
      return replica.port
    },
    kill: (port) => {
      const server = servers.find((s) => s.port === port)
      if (!server) throw new Error(`cluster: no node on port ${port}`)
      killed.add(port)
      process.kill(server.pid, 'SIGKILL')
    },
    addReplica: async (port) => {
      const server = await startValkey({ args })
      servers.push(server)
      const primaryId = (await view()).find((node) => node.port === port)?.id
      if (!primaryId) throw new Error(`cluster: no node on port ${port}`)
      await run('valkey-cli', [
        '--cluster',
        'add-node',
        `127.0.0.1:${server.port}`,
        `127.0.0.1:${port}`,
        '--cluster-slave',
        '--cluster-master-id',
        primaryId,
      ])
      await until(`the new replica on port ${server.port} in sync`, 20_000, async () =>
        (await cli(server.port, 'INFO', 'replication')).includes('master_link_status:up'),
      )
      await waitHealthy()
      return server.port
    },
    mostUpToDate: async (ports) => {
      let best = { port: ports[0]!, offset: -1 }
      for (const port of ports) {
        const info = await cli(port, 'INFO', 'replication')
        const offset = Number(/slave_repl_offset:(\d+)/.exec(info)?.[1] ?? -1)
        if (offset > best.offset) best = { port, offset }
      }
      return best.port
    },
    failover: async (port, mode) => {
      await cli(port, 'CLUSTER', 'FAILOVER', ...(mode ? [mode] : []))
      await waitPrimary(port)
    },
    waitPrimary,
    reshard: async (from, to, slots) => {
      const nodes = await view()
      const id = (port: number) => nodes.find((node) => node.port === port)?.id ?? ''
      await run('valkey-cli', [
        '--cluster',
        'reshard',
        `127.0.0.1:${from}`,
        '--cluster-from',
        id(from),
        '--cluster-to',
        id(to),
        '--cluster-slots',
        String(slots),
        '--cluster-yes',
      ])
      await waitHealthy()
    },
    waitHealthy,
    stop,
  }
}
