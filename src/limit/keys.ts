/**
 * A limiter's keys: `{prefix:identifier}:<suffix>`, the block key first, then one per limit, all
 * under one hash tag so every script call is single-slot on a Valkey Cluster.
 *
 * On the memory backend a whole decision costs about a microsecond, and building and hashing the
 * key strings anew would be a large share of it. There the keys of up to `CACHED` recent
 * identifiers are kept (past that the cache starts over). The keyspace keeps these same strings as
 * its keys, so the cache adds one small array per identifier. Over the network the build is lost
 * in the round trip, and nothing is cached.
 */

import { frozenArgs } from '../client/canonical.ts'

/** Identifiers whose keys the memory backend's limiter keeps built. */
const CACHED = 32_768

export type KeysOf = (identifier: string) => readonly string[]

export const limitKeys = (prefix: string, suffixes: readonly string[], cache: boolean): KeysOf => {
  const build = (identifier: string): readonly string[] => {
    const tag = `{${prefix}:${identifier}}:`
    // Frozen and marked: the memory backend then takes the array as it is.
    return frozenArgs(suffixes.map((suffix) => tag + suffix))
  }
  if (!cache) return build
  const built = new Map<string, readonly string[]>()
  return (identifier) => {
    let keys = built.get(identifier)
    if (keys === undefined) {
      if (built.size >= CACHED) built.clear()
      keys = build(identifier)
      built.set(identifier, keys)
    }
    return keys
  }
}
