/**
 * Sets up, at start, the Valkey ACL users the token classes run as (acl-rules.ts), on every node
 * of a cluster, or on the primary and every replica the Sentinels know (ACL rules are per node:
 * neither replication nor the cluster bus carries them).
 * With `--manage-acl` (the default when the upstream user may run `ACL SETUSER`) the bridge
 * creates or updates them, with the configured passwords or strong ones generated now; the
 * password travels as its SHA-256 (`#<hash>`) and is never logged. Otherwise the operator has
 * created them (`floodgate bridge --print-acl` prints the lines) and gives their passwords.
 * It also lowers `busy-reply-threshold` to the upstream timeout where allowed: Valkey reads no
 * `SCRIPT KILL` before that threshold, so it bounds how long a script can hold Valkey.
 */

import { hasSeveralHosts, parseHostPort, parseSeedUrl } from '../client/cluster/seeds.ts'
import { createTcpClient } from '../client/tcp/client.ts'
import { askPrimary, askReplicas } from '../client/tcp/sentinel/ask.ts'
import { isSentinelUrl, parseSentinelUrl, type SentinelUrl } from '../client/tcp/sentinel/url.ts'
import type { Connect } from '../client/tcp/socket.ts'
import { parseTcpUrl } from '../client/tcp/url.ts'
import type { Client } from '../client/types.ts'
import { ConfigError, ReplyError } from '../errors.ts'
import { type AccessClass, aclRules, aclSetUser, sha256Hex } from './acl-rules.ts'
import type { BridgeConfig } from './config.ts'
import type { Logger } from './log.ts'

export interface AclSetup {
  /** The user and password of each token class in use. */
  users: Partial<Record<AccessClass, { username: string; password: string }>>
  /** Every node's `host:port` on a cluster; undefined for a single node. */
  nodes?: string[]
  /** Whether the bridge created the users itself. */
  managed: boolean
}

type Config = Pick<
  BridgeConfig,
  | 'upstream'
  | 'cluster'
  | 'tokens'
  | 'readOnlyTokens'
  | 'allowCommands'
  | 'manageAcl'
  | 'aclUsers'
  | 'upstreamTimeout'
>

/** A random password: 32 bytes from the platform's CSPRNG, in hex. */
export const generatePassword = (): string =>
  [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('')

/** The token classes configured with at least one token. */
export const classesInUse = (config: Pick<Config, 'tokens' | 'readOnlyTokens'>): AccessClass[] => [
  ...(config.tokens.length > 0 ? (['full'] as const) : []),
  ...(config.readOnlyTokens.length > 0 ? (['read-only'] as const) : []),
]

/** The rules for `access` under this configuration. */
export const rulesFor = (
  config: Pick<Config, 'upstream' | 'cluster' | 'allowCommands'>,
  access: AccessClass,
) => {
  const db = isSentinelUrl(config.upstream)
    ? parseSentinelUrl(config.upstream).db
    : config.cluster || hasSeveralHosts(config.upstream)
      ? undefined
      : parseTcpUrl(config.upstream).db
  return aclRules(access, {
    allow: config.allowCommands,
    ...(db !== undefined && db !== 0 ? { select: true } : {}),
    ...(config.cluster ? { cluster: true } : {}),
  })
}

/** Reads every node's address from `CLUSTER NODES` (`<id> <ip:port@cport[,hostname]> <flags> ...`). */
const clusterNodes = async (client: Client): Promise<string[]> => {
  const text = String(await client.send(['CLUSTER', 'NODES']))
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length > 2 && !f[2]!.includes('noaddr') && !f[2]!.includes('fail'))
    .map((f) => f[1]!.split('@')[0]!)
}

/** The primary and the replicas the Sentinels name, as plain TCP URLs with the data nodes' credentials. */
const sentinelNodeUrls = async (target: SentinelUrl, connect: Connect): Promise<string[]> => {
  const access = {
    sentinels: [...target.sentinels],
    name: target.name,
    tls: target.tls,
    connect,
    sentinelTimeout: 1000,
    ...(target.sentinelUsername === undefined ? {} : { sentinelUsername: target.sentinelUsername }),
    ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
  }
  const nodes = [await askPrimary(access), ...(await askReplicas(access).catch(() => []))]
  const user = target.username === undefined ? '' : encodeURIComponent(target.username)
  const auth = target.password === undefined ? '' : `${user}:${encodeURIComponent(target.password)}@`
  const scheme = target.tls ? 'rediss' : 'redis'
  return nodes.map(
    ({ host, port }) => `${scheme}://${auth}${host.includes(':') ? `[${host}]` : host}:${port}`,
  )
}

/**
 * Prepares the users. Throws ConfigError when the configuration cannot work (no permission and
 * no passwords); rethrows the TransportError when Valkey cannot be reached or refuses the
 * upstream user, so that the caller can start anyway and retry.
 *
 * @example
 * const { users, nodes } = await prepareAclUsers(config, connect, log)
 * connectUpstream({ url: config.upstream, connect, users, nodes })
 */
export const prepareAclUsers = async (config: Config, connect: Connect, log: Logger): Promise<AclSetup> => {
  const cluster =
    !isSentinelUrl(config.upstream) && (config.cluster === true || hasSeveralHosts(config.upstream))
  const seeds = cluster ? parseSeedUrl(config.upstream) : undefined
  const open = (url: string) =>
    createTcpClient({ connect, url, connectTimeout: 2000, commandTimeout: 5000, reconnect: { attempts: 1 } })
  // Behind Sentinel: the primary and its replicas now; a replica added later gets the users when
  // a refused login makes the bridge set them up again (onAuthFailure).
  const seedUrls = seeds
    ? seeds.seeds.map((seed) => seeds.urlFor(seed))
    : isSentinelUrl(config.upstream)
      ? await sentinelNodeUrls(parseSentinelUrl(config.upstream), connect)
      : [config.upstream]
  const inUse = classesInUse(config)
  const clients: Client[] = []
  try {
    let nodes: string[] | undefined
    let urls = seedUrls
    if (seeds) {
      for (const url of seedUrls) {
        const client = open(url)
        clients.push(client)
        try {
          nodes = await clusterNodes(client)
          break
        } catch (error) {
          if (url === seedUrls[seedUrls.length - 1]) {
            if (config.manageAcl === false) break
            throw error
          }
        }
      }
      if (nodes) urls = nodes.map((node) => seeds.urlFor(parseHostPort(node)))
    }
    const nodeClients = urls.map((url) => {
      const client = open(url)
      clients.push(client)
      return { address: `${parseTcpUrl(url).host}:${parseTcpUrl(url).port}`, client }
    })
    const users: AclSetup['users'] = {}
    let managed = false
    if (config.manageAcl !== false) {
      const passwords = new Map(
        inUse.map((access) => [access, config.aclUsers[access].password ?? generatePassword()]),
      )
      try {
        for (const { client } of nodeClients) {
          for (const access of inUse) {
            const sha256 = await sha256Hex(passwords.get(access)!)
            await client.send(
              aclSetUser(
                config.aclUsers[access].username,
                { sha256 },
                rulesFor(config, access),
                config.aclUsers[access].password !== undefined && !config.aclUsers[access].generated,
              ),
            )
          }
        }
        managed = true
        for (const access of inUse)
          users[access] = { username: config.aclUsers[access].username, password: passwords.get(access)! }
        log('info', 'ACL users set up', {
          users: inUse.map((access) => config.aclUsers[access].username),
          nodes: nodeClients.map((n) => n.address),
        })
      } catch (error) {
        // Valkey unreachable, or refusing the upstream user: the caller retries later.
        if (!(error instanceof ReplyError)) throw error
        if (error.code !== 'NOPERM' || config.manageAcl === true) {
          throw new ConfigError(
            error.code === 'NOPERM'
              ? `--manage-acl: the upstream user may not run ACL SETUSER (${error.message}); upstream as a user that may, or create the users yourself (floodgate bridge --print-acl) and pass --manage-acl=false with their passwords`
              : `Valkey refused the ACL users' rules: ${error.message}`,
            { cause: error },
          )
        }
        log('info', 'the upstream user may not run ACL SETUSER: using the configured ACL users', {})
      }
    }
    if (!managed) {
      const missing = inUse.filter((access) => config.aclUsers[access].password === undefined)
      if (missing.length > 0) {
        const flags = missing.map((access) =>
          access === 'full' ? '--acl-full-password' : '--acl-read-only-password',
        )
        throw new ConfigError(
          `the bridge does not manage the Valkey ACL users here, so it needs their passwords: pass ${flags.join(' and ')} (env FLOODGATE_ACL_FULL_PASSWORD / FLOODGATE_ACL_READONLY_PASSWORD); create the users with the lines of floodgate bridge --print-acl`,
        )
      }
      for (const access of inUse) {
        users[access] = {
          username: config.aclUsers[access].username,
          password: config.aclUsers[access].password!,
        }
      }
    }
    await boundBusyScripts(nodeClients, config.upstreamTimeout, log)
    return { users, managed, ...(nodes ? { nodes } : {}) }
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()))
  }
}

/** Lowers `busy-reply-threshold` to `timeout` ms on every node where it is higher, if allowed. */
const boundBusyScripts = async (
  nodes: Array<{ address: string; client: Client }>,
  timeout: number,
  log: Logger,
): Promise<void> => {
  for (const { address, client } of nodes) {
    try {
      const reply = await client.send(['CONFIG', 'GET', 'busy-reply-threshold'])
      const current = Number(Array.isArray(reply) ? reply[1] : Number.NaN)
      if (!(current > timeout)) continue
      await client.send(['CONFIG', 'SET', 'busy-reply-threshold', String(timeout)])
      log(
        'info',
        'lowered busy-reply-threshold to the upstream timeout, so a runaway script can be ended in time',
        {
          node: address,
          from: current,
          to: timeout,
        },
      )
    } catch (error) {
      log(
        'warn',
        `cannot check busy-reply-threshold: a runaway script is ended only after it; run CONFIG SET busy-reply-threshold ${timeout} on the node`,
        {
          node: address,
          cause: (error as Error).message,
        },
      )
    }
  }
}
