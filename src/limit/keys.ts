/**
 * A limiter's keys: `{prefix:identifier}:<suffix>`, the block key first, then one per limit, all
 * under one hash tag so every script call is single-slot on a Valkey Cluster.
 *
 * A decision in process costs about a microsecond, and building and hashing the key strings anew
 * would be a large share of it; over the network the build is lost in the round trip. The keys of
 * up to `CACHED` recent identifiers are kept built (past that the cache starts over), frozen, so
 * a client may take the same array as it is on every call.
 */

/** Identifiers whose keys a limiter keeps built. */
const CACHED = 32_768

export type KeysOf = (identifier: string) => readonly string[]

export const limitKeys = (prefix: string, suffixes: readonly string[]): KeysOf => {
  const build = (identifier: string): readonly string[] => {
    const tag = `{${prefix}:${identifier}}:`
    return Object.freeze(suffixes.map((suffix) => tag + suffix))
  }
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
