/**
 * The caches the bench compares, each on its own connection to the same Valkey: floodgate's
 * cache over our TCP client, a bare GET of the same stored text on that client (the floor of any
 * hit), bentocache 1.6 with its Redis L2 driver only (no L1, so every hit reaches Valkey, as ours
 * does) over ioredis, and @epic-web/cachified with a minimal ioredis adapter (GET/SET PX, JSON),
 * the shape of the third-party adapters its README lists.
 */
import { type CacheEntry, type Cache as CachifiedCache, cachified } from '@epic-web/cachified'
import { BentoCache, bentostore } from 'bentocache'
import { redisDriver } from 'bentocache/drivers/redis'
import { Redis } from 'ioredis'
import { connect } from '../../src/bridge/node/socket.ts'
import { createCache } from '../../src/cache/cache.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'

export interface Contender {
  readonly name: string
  /** One lookup of `key`, computed by `factory` on a miss. */
  get(key: string, factory: () => Promise<unknown>): Promise<unknown>
  close(): Promise<void>
}

const TTL = 10 * 60_000

export const floodgate = (url: string, prefix: string): Contender => {
  const client = createTcpClient({ url, connect })
  const cache = createCache({ client, prefix, ttl: TTL })
  return {
    name: 'floodgate getOrSet',
    get: (key, factory) => cache.getOrSet(key, factory),
    close: () => client.close(),
  }
}

/** GET of the key floodgate's cache stores `key` under: the same bytes, no decoding. */
export const bareGet = (url: string, prefix: string): Contender => {
  const client = createTcpClient({ url, connect })
  return {
    name: 'bare GET (floodgate TCP client)',
    get: (key) => client.send(['GET', `{${prefix}:${key}}`]),
    close: () => client.close(),
  }
}

/** The bare GET plus the JSON.parse any cache of JSON values pays on a hit: context for the floor. */
export const bareGetParse = (url: string, prefix: string): Contender => {
  const client = createTcpClient({ url, connect })
  return {
    name: 'bare GET + JSON.parse',
    get: (key) =>
      client.send(['GET', `{${prefix}:${key}}`]).then((text) => {
        const t = text as string
        return JSON.parse(t.slice(t.indexOf('\n') + 1))
      }),
    close: () => client.close(),
  }
}

export const bentocache = (url: string, prefix: string): Contender => {
  const connection = new Redis(url, { lazyConnect: false })
  const bento = new BentoCache({
    default: 'l2',
    prefix,
    stores: { l2: bentostore().useL2Layer(redisDriver({ connection })) },
  })
  return {
    name: 'bentocache getOrSet (ioredis)',
    get: (key, factory) => bento.getOrSet({ key, factory, ttl: TTL }),
    close: async () => {
      await bento.disconnectAll()
      connection.disconnect()
    },
  }
}

export const epicCachified = (url: string, prefix: string): Contender => {
  const redis = new Redis(url)
  const cache: CachifiedCache = {
    name: 'ioredis',
    get: async (key) => {
      const text = await redis.get(`${prefix}:${key}`)
      return text === null ? null : (JSON.parse(text) as CacheEntry)
    },
    set: (key, entry) => redis.set(`${prefix}:${key}`, JSON.stringify(entry), 'PX', TTL),
    delete: (key) => redis.del(`${prefix}:${key}`),
  }
  return {
    name: '@epic-web/cachified (ioredis)',
    get: (key, factory) => cachified({ key, cache, getFreshValue: factory, ttl: TTL }),
    close: async () => {
      redis.disconnect()
    },
  }
}
