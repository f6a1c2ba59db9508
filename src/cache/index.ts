/** The cache: get-or-compute with stampede protection, grace, tags, an optional L1, and metrics. */
export { type Cache, type CacheResult, createCache, type Factory } from './cache.ts'
export type { L1 } from './l1.ts'
export type { L1Sync, L1SyncOptions } from './l1-sync.ts'
export { type CacheMetrics, prometheusMetrics } from './metrics.ts'
export type { CacheOptions, EntryOptions, FactoryContext, GetOrSetOptions } from './options.ts'
export { type Serializer, taggedJson } from './serializer.ts'
