/**
 * Leaving a stalled primary. A primary that stops answering without closing its connections
 * (SIGSTOP, a hung host, a partition) fails nothing: commands sent to it wait out their whole
 * timeout, and with them every caller that awaits them, even once the cluster has promoted its
 * replica. Every `after` ms this looks at each primary's connection; one that has commands
 * outstanding and settled none since the previous look makes the client read the map again, and
 * once the node serves no slot any more its connection is abandoned: what waits on it fails at
 * once with a `TransportError` (it may still run if the node wakes), the cluster client retries
 * it where it may (reads), and the callers' next commands go to the new primary.
 *
 * It reads counters the node connection keeps anyway (node-client.ts): nothing is added per
 * command, and the timer runs only between the client's first command and `close()`.
 */
import type { NodeClient } from './node-client.ts'
import type { ClusterNodes } from './nodes.ts'
import type { NodeAddress } from './topology.ts'

const isNodeClient = (client: unknown): client is NodeClient =>
  typeof (client as NodeClient | undefined)?.abandon === 'function'

export class StallWatch {
  readonly #nodes: ClusterNodes
  readonly #after: number
  readonly #seen = new WeakMap<NodeClient, number>()
  #timer: ReturnType<typeof setInterval> | undefined
  #checking = false

  constructor(nodes: ClusterNodes, after: number) {
    this.#nodes = nodes
    this.#after = after
  }

  /** Starts looking (idempotent). */
  start(): void {
    if (this.#timer !== undefined || this.#nodes.closed) return
    this.#timer = setInterval(this.#check, this.#after)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  #check = async (): Promise<void> => {
    if (this.#checking || this.#nodes.closed) return
    const silent: Array<[NodeAddress, NodeClient]> = []
    for (const node of this.#nodes.knownPrimaries()) {
      const client = this.#nodes.existing(node)
      if (!isNodeClient(client)) continue
      const { outstanding, settled } = client.load
      const seen = this.#seen.get(client)
      this.#seen.set(client, settled)
      if (outstanding > 0 && seen === settled) silent.push([node, client])
    }
    if (silent.length === 0) return
    this.#checking = true
    try {
      await this.#nodes.refresh()
    } catch {
      return
    } finally {
      this.#checking = false
    }
    const primaries = new Set(this.#nodes.knownPrimaries().map((node) => node.key))
    for (const [node, client] of silent) {
      if (!primaries.has(node.key)) {
        client.abandon(`${node.key} stopped answering and the cluster promoted another node in its place`)
      }
    }
  }
}
