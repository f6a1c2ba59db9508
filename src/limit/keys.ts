/**
 * A limiter's keys: `{prefix:identifier}:<suffix>`, the block key first, then one per limit, all
 * under one hash tag so every script call is single-slot on a Valkey Cluster.
 *
 * On the memory backend a whole decision costs about a microsecond, and building and hashing the
 * key strings anew would be a large share of it. There the keys of recent identifiers are kept,
 * in two generations of up to `GENERATION` identifiers each: a working set of that many never
 * rebuilds them, and one key the cache forgets costs one rebuild. The keyspace keeps these same
 * strings as its keys, so the cache adds one small array per identifier. Over the network the
 * build is lost in the round trip, and nothing is cached.
 */

/** Identifiers per generation of the memory backend's key cache. */
const GENERATION = 16_384

export type KeysOf = (identifier: string) => readonly string[]

export const limitKeys = (prefix: string, suffixes: readonly string[], cache: boolean): KeysOf => {
  const build = (identifier: string): readonly string[] => {
    const tag = `{${prefix}:${identifier}}:`
    const keys = new Array<string>(suffixes.length)
    for (let i = 0; i < suffixes.length; i++) keys[i] = tag + suffixes[i]
    // Frozen: the memory backend then trusts the array it already checked.
    return Object.freeze(keys)
  }
  if (!cache) return build
  let young = new Map<string, readonly string[]>()
  let old = new Map<string, readonly string[]>()
  return (identifier) => {
    let keys = young.get(identifier)
    if (keys !== undefined) return keys
    keys = old.get(identifier) ?? build(identifier)
    if (young.size >= GENERATION) {
      old = young
      young = new Map()
    }
    young.set(identifier, keys)
    return keys
  }
}
