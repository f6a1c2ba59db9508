/**
 * Asking Sentinels where the data nodes are, as the Sentinel client protocol has it
 * (valkey-doc `topics/sentinel-clients.md`): try each Sentinel in turn with a short timeout, move
 * the first that answers to the front, and treat a null answer as "ask the next one".
 */
import { TransportError } from '../../../errors.ts'
import type { Command, Reply } from '../../types.ts'
import { createTcpClient } from '../client.ts'
import type { Connect } from '../socket.ts'
import type { SentinelAddress } from './url.ts'

export interface SentinelAccess {
  /** Tried in this order; reordered in place (the one that answered first goes first). */
  sentinels: SentinelAddress[]
  name: string
  tls: boolean
  sentinelUsername?: string
  sentinelPassword?: string
  connect: Connect
  /** Milliseconds each Sentinel gets to connect and answer. */
  sentinelTimeout: number
}

/** One command on a short-lived connection to one Sentinel. */
export const askOne = async (access: SentinelAccess, sentinel: SentinelAddress, command: Command) => {
  const client = createTcpClient({
    connect: access.connect,
    host: sentinel.host,
    port: sentinel.port,
    tls: access.tls,
    ...(access.sentinelPassword === undefined ? {} : { password: access.sentinelPassword }),
    ...(access.sentinelUsername === undefined ? {} : { username: access.sentinelUsername }),
    connectTimeout: access.sentinelTimeout,
    commandTimeout: access.sentinelTimeout,
    reconnect: { attempts: 1 },
  })
  try {
    return await client.send(command)
  } finally {
    void client.close()
  }
}

/** Asks the Sentinels in turn until one gives a usable answer (`accept` returns non-undefined). */
const askAll = async <T>(
  access: SentinelAccess,
  command: Command,
  accept: (reply: Reply) => T | undefined,
): Promise<T> => {
  const errors: string[] = []
  for (const sentinel of [...access.sentinels]) {
    try {
      const found = accept(await askOne(access, sentinel, command))
      if (found !== undefined) {
        const i = access.sentinels.indexOf(sentinel)
        if (i > 0) access.sentinels.unshift(...access.sentinels.splice(i, 1))
        return found
      }
      errors.push(`${sentinel.host}:${sentinel.port} does not know "${access.name}"`)
    } catch (error) {
      errors.push(`${sentinel.host}:${sentinel.port}: ${error instanceof Error ? error.message : error}`)
    }
  }
  throw new TransportError(`no Sentinel could say where "${access.name}" is: ${errors.join('; ')}`)
}

/**
 * The primary's address, from `SENTINEL get-master-addr-by-name`.
 *
 * @example
 * const { host, port } = await askPrimary({ sentinels, name: 'mymaster', tls: false, connect, sentinelTimeout: 500 })
 */
export const askPrimary = (access: SentinelAccess): Promise<SentinelAddress> =>
  askAll(access, ['SENTINEL', 'get-master-addr-by-name', access.name], (reply) =>
    Array.isArray(reply) && typeof reply[0] === 'string' && reply[1] != null
      ? { host: reply[0], port: Number(reply[1]) }
      : undefined,
  )

/** Replicas a Sentinel considers healthy: not down, not disconnected, their link to the primary up. */
export const askReplicas = (access: SentinelAccess): Promise<SentinelAddress[]> =>
  askAll(access, ['SENTINEL', 'replicas', access.name], (reply) => {
    if (!Array.isArray(reply)) return undefined
    const healthy: SentinelAddress[] = []
    for (const entry of reply) {
      if (!Array.isArray(entry)) continue
      const fields = new Map<string, string>()
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), String(entry[i + 1]))
      const flags = fields.get('flags') ?? ''
      if (/s_down|o_down|disconnected/.test(flags) || fields.get('master-link-status') !== 'ok') continue
      healthy.push({ host: fields.get('ip')!, port: Number(fields.get('port')) })
    }
    return healthy
  })
