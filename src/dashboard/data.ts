/**
 * What the decisions dashboard shows, read in one go: every limiter's analytics over the last
 * `buckets` buckets (docs/analytics.md) and Valkey's health (PING round trip, INFO server, memory,
 * clients and stats). Health that cannot be read is reported as down, never thrown.
 */
import { parseInfo } from '../client/info.ts'
import type { Client } from '../client/types.ts'
import { type LimiterAnalytics, readAnalytics } from '../limit/analytics-report.ts'
import { type Duration, parseDuration } from '../limit/duration.ts'

export interface ValkeyHealth {
  readonly up: boolean
  /** PING round trip from the dashboard's process, ms. */
  readonly pingMs?: number
  readonly version?: string
  readonly role?: string
  readonly uptimeSeconds?: number
  readonly usedMemory?: number
  readonly maxMemory?: number
  readonly connectedClients?: number
  readonly opsPerSecond?: number
  readonly evictedKeys?: number
  readonly error?: string
}

export interface DashboardData {
  readonly generatedAt: number
  readonly bucket: number
  readonly limiters: readonly LimiterAnalytics[]
  readonly health: ValkeyHealth
}

export interface DashboardDataOptions {
  /** Buckets to show. Default 60. */
  buckets?: number
  /** The analytics bucket width the limiters record with. Default `'1 m'`. */
  bucket?: Duration
  /** Rows in the top tables. Default 10. */
  top?: number
}

const num = (value: string | undefined): number | undefined => {
  const n = Number(value)
  return value === undefined || !Number.isFinite(n) ? undefined : n
}

export const readHealth = async (client: Client): Promise<ValkeyHealth> => {
  try {
    const started = performance.now()
    await client.send(['PING'])
    const pingMs = performance.now() - started
    const info = parseInfo(String(await client.send(['INFO'])))
    return {
      up: true,
      pingMs,
      version: info.get('valkey_version') ?? info.get('redis_version'),
      role: info.get('role'),
      uptimeSeconds: num(info.get('uptime_in_seconds')),
      usedMemory: num(info.get('used_memory')),
      maxMemory: num(info.get('maxmemory')),
      connectedClients: num(info.get('connected_clients')),
      opsPerSecond: num(info.get('instantaneous_ops_per_sec')),
      evictedKeys: num(info.get('evicted_keys')),
    }
  } catch (error) {
    return { up: false, error: (error as Error)?.message ?? String(error) }
  }
}

/**
 * Reads the dashboard's data.
 *
 * @example
 * const data = await readDashboardData(client, { buckets: 60 })
 */
export const readDashboardData = async (
  client: Client,
  options: DashboardDataOptions = {},
): Promise<DashboardData> => {
  const bucketOption = options.bucket ?? '1 m'
  const [limiters, health] = await Promise.all([
    readAnalytics(client, {
      bucket: bucketOption,
      buckets: options.buckets ?? 60,
      top: options.top ?? 10,
    }).catch(() => []),
    readHealth(client),
  ])
  return { generatedAt: Date.now(), bucket: parseDuration(bucketOption, 'bucket'), limiters, health }
}
