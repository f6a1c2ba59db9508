/**
 * Seed lists for a cluster: `redis://user:pass@h1:6379,h2:6379,[::1]:7000/0?timeout=1000`, i.e. one
 * URL whose authority holds several `host:port` pairs separated by commas. WHATWG `URL` refuses such
 * an authority, so it is split here and each seed gets an ordinary single-host URL back.
 */
import { ConfigError } from '../../errors.ts'
import { address, type NodeAddress } from './topology.ts'

const DEFAULT_PORT = 6379

/** Parses `host:port`, `host` or `[v6]:port` into an address. */
export const parseHostPort = (text: string): NodeAddress => {
  const trimmed = text.trim()
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed)
  const [host, port] = v6
    ? [v6[1]!, v6[2]]
    : trimmed.includes(':')
      ? [trimmed.slice(0, trimmed.lastIndexOf(':')), trimmed.slice(trimmed.lastIndexOf(':') + 1)]
      : [trimmed, undefined]
  const portNumber = port === undefined || port === '' ? DEFAULT_PORT : Number(port)
  if (host === '' || !Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535) {
    throw new ConfigError(`cluster seed "${trimmed}" is not host:port (e.g. 10.0.0.7:6379)`)
  }
  return address(host, portNumber)
}

export interface SeedUrl {
  /** The seeds in the order given. */
  seeds: NodeAddress[]
  /** A single-host URL for `seed`, with the scheme, credentials, path and query of the original. */
  urlFor(seed: NodeAddress): string
}

const split = (url: string) => {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url.trim())
  if (!match) throw new ConfigError('cluster URL must look like redis://host1:6379,host2:6379')
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string]
  const at = authority.lastIndexOf('@')
  return {
    scheme,
    userinfo: at === -1 ? '' : authority.slice(0, at + 1),
    hosts: authority.slice(at + 1),
    rest,
  }
}

/** True when `url`'s authority lists more than one `host:port`. */
export const hasSeveralHosts = (url: string): boolean => {
  try {
    return split(url).hosts.includes(',')
  } catch {
    return false
  }
}

/**
 * Splits a seed-list URL. Credentials never appear in the error messages.
 *
 * @example
 * const { seeds, urlFor } = parseSeedUrl('redis://:secret@10.0.0.1:7000,10.0.0.2:7000')
 * urlFor(seeds[1]!) // 'redis://:secret@10.0.0.2:7000'
 */
export const parseSeedUrl = (url: string): SeedUrl => {
  const { scheme, userinfo, hosts, rest } = split(url)
  const seeds = hosts
    .split(',')
    .filter((host) => host.trim() !== '')
    .map(parseHostPort)
  if (seeds.length === 0)
    throw new ConfigError('cluster URL names no host: use redis://host1:6379,host2:6379')
  const format = (seed: NodeAddress) => (seed.host.includes(':') ? `[${seed.host}]:${seed.port}` : seed.key)
  return { seeds, urlFor: (seed) => `${scheme}${userinfo}${format(seed)}${rest}` }
}
