/**
 * Valkey's `INFO` and `SLOWLOG` replies as Prometheus series, under the names and meanings of
 * redis_exporter (oliver006/redis_exporter, `exporter/info.go`, `slowlog.go`), so the dashboards
 * and alert rules written for it work unchanged against the bridge's `/metrics`. Pure: text in,
 * exposition lines out.
 */
import { parseInfo } from '../client/info.ts'
import { escapeLabel } from './exposition.ts'

type Kind = 'gauge' | 'counter'

/** INFO field -> [series, type, help]. Status fields (`ok`/`err`, `up`/`down`) become 1/0. */
const FIELDS: ReadonlyMap<string, readonly [string, Kind, string]> = new Map([
  ['uptime_in_seconds', ['redis_uptime_in_seconds', 'gauge', 'Seconds since the server started.']],
  ['connected_clients', ['redis_connected_clients', 'gauge', 'Client connections open.']],
  ['blocked_clients', ['redis_blocked_clients', 'gauge', 'Clients waiting in a blocking command.']],
  ['maxclients', ['redis_max_clients', 'gauge', 'The maxclients setting.']],
  ['used_memory', ['redis_memory_used_bytes', 'gauge', 'Bytes allocated by the server.']],
  ['used_memory_rss', ['redis_memory_used_rss_bytes', 'gauge', 'Resident set size, bytes.']],
  ['used_memory_peak', ['redis_memory_used_peak_bytes', 'gauge', 'Peak of used_memory, bytes.']],
  ['maxmemory', ['redis_memory_max_bytes', 'gauge', 'The maxmemory setting, bytes (0 = unlimited).']],
  ['mem_fragmentation_ratio', ['redis_mem_fragmentation_ratio', 'gauge', 'RSS / used memory.']],
  ['loading', ['redis_loading_dump_file', 'gauge', '1 while a dump file is loading.']],
  [
    'rdb_changes_since_last_save',
    ['redis_rdb_changes_since_last_save', 'gauge', 'Writes since the last RDB save.'],
  ],
  [
    'rdb_last_save_time',
    ['redis_rdb_last_save_timestamp_seconds', 'gauge', 'Epoch seconds of the last RDB save.'],
  ],
  ['rdb_last_bgsave_status', ['redis_rdb_last_bgsave_status', 'gauge', '1 if the last BGSAVE succeeded.']],
  ['aof_enabled', ['redis_aof_enabled', 'gauge', '1 if the append-only file is on.']],
  ['aof_last_write_status', ['redis_aof_last_write_status', 'gauge', '1 if the last AOF write succeeded.']],
  [
    'aof_last_bgrewrite_status',
    ['redis_aof_last_bgrewrite_status', 'gauge', '1 if the last AOF rewrite succeeded.'],
  ],
  ['total_connections_received', ['redis_connections_received_total', 'counter', 'Connections accepted.']],
  ['total_commands_processed', ['redis_commands_processed_total', 'counter', 'Commands processed.']],
  [
    'rejected_connections',
    ['redis_rejected_connections_total', 'counter', 'Connections refused (maxclients reached).'],
  ],
  ['expired_keys', ['redis_expired_keys_total', 'counter', 'Keys removed because their TTL ran out.']],
  ['evicted_keys', ['redis_evicted_keys_total', 'counter', 'Keys evicted under maxmemory.']],
  ['keyspace_hits', ['redis_keyspace_hits_total', 'counter', 'Successful key lookups (reads).']],
  ['keyspace_misses', ['redis_keyspace_misses_total', 'counter', 'Failed key lookups (reads).']],
  ['total_net_input_bytes', ['redis_net_input_bytes_total', 'counter', 'Bytes read from clients.']],
  ['total_net_output_bytes', ['redis_net_output_bytes_total', 'counter', 'Bytes written to clients.']],
  ['connected_slaves', ['redis_connected_slaves', 'gauge', 'Replicas connected to this primary.']],
  ['master_repl_offset', ['redis_master_repl_offset', 'gauge', 'Replication offset, bytes.']],
  ['master_link_status', ['redis_master_link_up', 'gauge', 'On a replica: 1 if the link is up.']],
  [
    'master_last_io_seconds_ago',
    ['redis_master_last_io_seconds_ago', 'gauge', 'On a replica: seconds since the primary spoke.'],
  ],
  ['slave_repl_offset', ['redis_slave_repl_offset', 'gauge', 'On a replica: its offset, bytes.']],
])

const STATUS: Record<string, number> = { ok: 1, up: 1, err: 0, down: 0 }

/**
 * The labels of `redis_instance_info` and the INFO fields they come from; a field missing is read
 * under the label's own name (Valkey says `server_mode` where Redis says `redis_mode`).
 */
const INFO_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['role', 'role'],
  ['redis_version', 'redis_version'],
  ['valkey_version', 'valkey_version'],
  ['redis_mode', 'server_mode'],
  ['os', 'os'],
  ['tcp_port', 'tcp_port'],
  ['run_id', 'run_id'],
  ['maxmemory_policy', 'maxmemory_policy'],
]

const labels = (pairs: Record<string, string>): string =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`

/** `k=v,k=v` (the value of a `db0:` or `slave0:` line) as an object. */
const pairsOf = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const part of text.split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1)
  }
  return out
}

/** A series family: HELP and TYPE once, then its samples. */
class Family {
  readonly samples: string[] = []
  readonly name: string
  readonly kind: Kind
  readonly help: string
  constructor(name: string, kind: Kind, help: string) {
    this.name = name
    this.kind = kind
    this.help = help
  }
  add(value: number, labelText = ''): void {
    this.samples.push(`${this.name}${labelText} ${value}`)
  }
  render(out: string[]): void {
    if (this.samples.length === 0) return
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`, ...this.samples)
  }
}

/** The slow log as SLOWLOG LEN and SLOWLOG GET 1 report it. */
export interface SlowLog {
  length: number
  /** The newest entry: its id and how long it ran, µs; absent when the log is empty. */
  last?: { id: number; micros: number }
}

/**
 * Renders INFO (all sections) and the slow log under redis_exporter's names.
 *
 * @example
 * infoSeries('# Server\r\nrole:master\r\nused_memory:1024\r\n', { length: 0 })
 * // includes 'redis_memory_used_bytes 1024' and 'redis_instance_info{role="master"} 1'
 */
export const infoSeries = (info: string, slowlog: SlowLog): string[] => {
  const fields = parseInfo(info)
  const families: Family[] = []
  const family = (name: string, kind: Kind, help: string): Family => {
    const f = new Family(name, kind, help)
    families.push(f)
    return f
  }
  const instance = family('redis_instance_info', 'gauge', 'Facts about the server, as labels.')
  const known: Record<string, string> = {}
  for (const [label, field] of INFO_LABELS) {
    const value = fields.get(field) ?? fields.get(label)
    if (value !== undefined) known[label] = value
  }
  instance.add(1, labels(known))
  for (const [field, [name, kind, help]] of FIELDS) {
    const raw = fields.get(field)
    if (raw === undefined) continue
    const value = raw in STATUS ? STATUS[raw]! : Number(raw)
    if (Number.isFinite(value)) family(name, kind, help).add(value)
  }
  // The exporter's `redis_config_maxclients` comes from CONFIG GET, which the bridge's upstream
  // user may not run; INFO's maxclients is the same setting.
  const maxclients = fields.get('maxclients')
  if (maxclients !== undefined) {
    family('redis_config_maxclients', 'gauge', 'The maxclients setting.').add(Number(maxclients))
  }
  const dbKeys = family('redis_db_keys', 'gauge', 'Keys per database.')
  const dbExpiring = family('redis_db_keys_expiring', 'gauge', 'Keys with a TTL per database.')
  const lag = family('redis_connected_slave_lag_seconds', 'gauge', 'Seconds since each replica acked.')
  const offset = family('redis_connected_slave_offset_bytes', 'gauge', 'Offset each replica acked.')
  const calls = family('redis_commands_total', 'counter', 'Calls per command.')
  const spent = family('redis_commands_duration_seconds_total', 'counter', 'Time spent per command.')
  const errors = family('redis_errors_total', 'counter', 'Error replies, by error code.')
  for (const [field, value] of fields) {
    if (/^db\d+$/.test(field)) {
      const db = pairsOf(value)
      const which = labels({ db: field })
      dbKeys.add(Number(db.keys ?? 0), which)
      dbExpiring.add(Number(db.expires ?? 0), which)
    } else if (/^slave\d+$/.test(field)) {
      const r = pairsOf(value)
      const who = labels({ slave_ip: r.ip ?? '', slave_port: r.port ?? '', slave_state: r.state ?? '' })
      lag.add(Number(r.lag ?? 0), who)
      offset.add(Number(r.offset ?? 0), who)
    } else if (field.startsWith('cmdstat_')) {
      const stat = pairsOf(value)
      const cmd = labels({ cmd: field.slice(8) })
      calls.add(Number(stat.calls ?? 0), cmd)
      spent.add(Number(stat.usec ?? 0) / 1e6, cmd)
    } else if (field.startsWith('errorstat_')) {
      errors.add(Number(pairsOf(value).count ?? 0), labels({ err: field.slice(10) }))
    }
  }
  family('redis_slowlog_length', 'gauge', 'Entries in the slow log.').add(slowlog.length)
  family('redis_slowlog_last_id', 'gauge', 'Id of the newest slow log entry.').add(slowlog.last?.id ?? 0)
  family(
    'redis_last_slow_execution_duration_seconds',
    'gauge',
    'How long the newest slow log entry ran.',
  ).add((slowlog.last?.micros ?? 0) / 1e6)
  const out: string[] = []
  for (const f of families) f.render(out)
  return out
}
