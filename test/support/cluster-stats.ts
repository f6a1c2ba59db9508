/**
 * What a test cluster's nodes say about the traffic they served: `INFO errorstats` (how many MOVED,
 * ASK, TRYAGAIN replies) and `INFO commandstats` (how many times a command ran on a node).
 */
import type { ValkeyCluster } from './cluster.ts'

/** `INFO <section>` of one node, as `field -> value`. */
export const info = async (
  cluster: ValkeyCluster,
  port: number,
  section: string,
): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  for (const line of (await cluster.cli(port, 'INFO', section)).split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1).trim())
  }
  return out
}

/** How many times the nodes on `ports` answered with the error `code`, summed. */
export const errorCount = async (cluster: ValkeyCluster, ports: number[], code: string): Promise<number> => {
  let total = 0
  for (const port of ports) {
    const stat = (await info(cluster, port, 'errorstats')).get(`errorstat_${code}`)
    total += stat ? Number(/count=(\d+)/.exec(stat)![1]) : 0
  }
  return total
}

/** How many times `command` ran on the node on `port`. */
export const calls = async (cluster: ValkeyCluster, port: number, command: string): Promise<number> => {
  const stat = (await info(cluster, port, 'commandstats')).get(`cmdstat_${command.toLowerCase()}`)
  return stat ? Number(/calls=(\d+)/.exec(stat)![1]) : 0
}
