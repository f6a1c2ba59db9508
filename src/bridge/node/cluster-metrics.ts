/**
 * `/metrics` summed over `--workers`: the worker that takes the scrape asks the primary, the
 * primary asks every worker for a snapshot of its counters and hands them all back, and the
 * worker renders their sum. Without an answer within a second the worker renders its own.
 */
import cluster from 'node:cluster'
import { Metrics, type MetricsSnapshot } from '../metrics.ts'

interface Message {
  fg: 'metrics' | 'snapshot' | 'snapshot-reply' | 'metrics-reply'
  id: number
  snapshot?: MetricsSnapshot
  snapshots?: MetricsSnapshot[]
}

const isOurs = (message: unknown): message is Message =>
  typeof message === 'object' && message !== null && 'fg' in message && 'id' in message

/**
 * In a worker: answers the primary's snapshot requests, and returns the `renderMetrics` hook
 * for `createBridge`.
 *
 * @example
 * const metrics = new Metrics()
 * createBridge({ ..., metrics, renderMetrics: workerMetrics(metrics) })
 */
export const workerMetrics = (metrics: Metrics): (() => Promise<string>) => {
  const waiting = new Map<number, (snapshots: MetricsSnapshot[]) => void>()
  let next = 0
  process.on('message', (message: unknown) => {
    if (!isOurs(message)) return
    if (message.fg === 'snapshot') {
      process.send?.({ fg: 'snapshot-reply', id: message.id, snapshot: metrics.snapshot() })
    } else if (message.fg === 'metrics-reply') {
      waiting.get(message.id)?.(message.snapshots ?? [])
    }
  })
  return function renderMetrics() {
    return new Promise<string>((resolve) => {
      const id = ++next
      const timer = setTimeout(() => {
        waiting.delete(id)
        resolve(metrics.render())
      }, 1000)
      waiting.set(id, (snapshots) => {
        waiting.delete(id)
        clearTimeout(timer)
        const total = new Metrics()
        for (const snapshot of snapshots) total.absorb(snapshot)
        resolve(total.render())
      })
      process.send?.({ fg: 'metrics', id })
    })
  }
}

/** In the primary: relays each worker's metrics request to every worker (500 ms at most). */
export const relayMetrics = (): void => {
  let next = 0
  const gathering = new Map<number, { snapshots: MetricsSnapshot[]; expected: number; done: () => void }>()
  cluster.on('message', (asker, message: unknown) => {
    if (!isOurs(message)) return
    if (message.fg === 'snapshot-reply') {
      const entry = gathering.get(message.id)
      if (!entry || !message.snapshot) return
      entry.snapshots.push(message.snapshot)
      if (entry.snapshots.length === entry.expected) entry.done()
      return
    }
    if (message.fg !== 'metrics') return
    const id = ++next
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected())
    const entry = {
      snapshots: [] as MetricsSnapshot[],
      expected: workers.length,
      done: () => {
        gathering.delete(id)
        clearTimeout(timer)
        if (asker.isConnected())
          asker.send({ fg: 'metrics-reply', id: message.id, snapshots: entry.snapshots })
      },
    }
    const timer = setTimeout(entry.done, 500)
    gathering.set(id, entry)
    for (const worker of workers) worker?.send({ fg: 'snapshot', id })
  })
}
