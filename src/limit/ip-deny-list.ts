/**
 * The automatic IP deny list of `enableProtection`, as `@upstash/ratelimit` keeps it: the IPs of
 * a level of the public ipsum list (https://github.com/stamparm/ipsum, `levels/<threshold>.txt`,
 * an IP listed by at least `threshold` blocklists), stored in `<prefix>:denyList:ipDenyList` and
 * merged into `<prefix>:denyList:all`, refreshed daily after 02:00 UTC (when ipsum updates) by the
 * first call after `<prefix>:ipDenyListStatus` expires. Values an app added itself are never
 * removed by a refresh. Plain commands, no script, so every backend (memory included) runs it.
 */

import type { FetchLike } from '../client/http/exchange.ts'
import type { Client } from '../client/types.ts'
import { TransportError } from '../errors.ts'
import { denyListKey } from './deny-list.ts'

export const IPSUM_URL = 'https://raw.githubusercontent.com/stamparm/ipsum/master/levels'

export const ipListKey = (prefix: string): string => `${prefix}:denyList:ipDenyList`
export const ipStatusKey = (prefix: string): string => `${prefix}:ipDenyListStatus`

/** Ms from `now` until the next 02:00 UTC. */
export const untilNextRefresh = (now = Date.now()): number => {
  const next = new Date(now)
  next.setUTCHours(2, 0, 0, 0)
  if (next.getTime() <= now) next.setUTCDate(next.getUTCDate() + 1)
  return next.getTime() - now
}

export interface IpDenyListSource {
  /** Base URL of the level files. Default ipsum's raw GitHub URL. */
  url?: string
  /** The fetch to download with. Default the global fetch. */
  fetch?: FetchLike | typeof fetch
}

const checkThreshold = (threshold: number): void => {
  if (!(Number.isInteger(threshold) && threshold >= 1 && threshold <= 8)) {
    throw new TypeError(`denyListThreshold must be a whole number from 1 to 8, received ${String(threshold)}`)
  }
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * Downloads level `threshold` and replaces the stored IP deny list with it; the list is valid for
 * `ttl` ms (default: until the next 02:00 UTC).
 *
 * @example
 * await updateIpDenyList(client, '@upstash/ratelimit', 6)
 */
export const updateIpDenyList = async (
  client: Client,
  prefix: string,
  threshold: number,
  ttl?: number,
  source: IpDenyListSource = {},
): Promise<number> => {
  checkThreshold(threshold)
  const url = `${source.url ?? IPSUM_URL}/${threshold}.txt`
  const download = (source.fetch ?? fetch) as typeof fetch
  const response = await download(url, { method: 'GET' } as RequestInit)
  if (response.status !== 200)
    throw new TransportError(`the IP deny list at ${url} answered HTTP ${response.status}`)
  const ips = (await response.text())
    .split('\n')
    .map((line) => line.split(/\s/)[0]!.trim())
    .filter((ip) => ip !== '' && !ip.startsWith('#'))
  const all = denyListKey(prefix)
  const list = ipListKey(prefix)
  const [old, current] = (await client.pipeline([
    ['SMEMBERS', list],
    ['SMEMBERS', all],
  ])) as [string[], string[]]
  // Values in `all` that the previous refresh did not bring were added by the app: keep them.
  const previous = new Set(Array.isArray(old) ? old : [])
  const ownValues = new Set((Array.isArray(current) ? current : []).filter((v) => !previous.has(v)))
  const fresh = ips.filter((ip) => !ownValues.has(ip))
  const commands: string[][] = [['DEL', list]]
  for (const part of chunks(
    [...previous].filter((v) => !ownValues.has(v)),
    1000,
  ))
    commands.push(['SREM', all, ...part])
  for (const part of chunks(fresh, 1000)) commands.push(['SADD', list, ...part], ['SADD', all, ...part])
  commands.push(['SET', ipStatusKey(prefix), 'valid', 'PX', String(ttl ?? untilNextRefresh())])
  await client.pipeline(commands)
  return fresh.length
}

/**
 * Removes the automatic IP deny list (the app's own deny-list values stay) and stops its daily
 * refresh until `<prefix>:ipDenyListStatus` is deleted or `updateIpDenyList` runs again.
 *
 * @example
 * await disableIpDenyList(client, '@upstash/ratelimit')
 */
export const disableIpDenyList = async (client: Client, prefix: string): Promise<void> => {
  const list = ipListKey(prefix)
  const ips = await client.send(['SMEMBERS', list])
  const commands: string[][] = []
  for (const part of chunks(Array.isArray(ips) ? (ips as string[]) : [], 1000))
    commands.push(['SREM', denyListKey(prefix), ...part])
  commands.push(['DEL', list], ['SET', ipStatusKey(prefix), 'disabled'])
  await client.pipeline(commands)
}
