/**
 * What a shared cache may do with a response, from its `Cache-Control` (RFC 9111 §5.2.2) and the
 * `stale-while-revalidate` extension (RFC 5861). Used by the framework response caches.
 */

export interface Storability {
  /** Whether a shared cache may store it: not `no-store`, `private` or `no-cache`. */
  readonly storable: boolean
  /** Seconds fresh: `s-maxage`, else `max-age`; undefined when neither is given. */
  readonly maxAge: number | undefined
  /** Seconds a stale copy may be served while revalidating; 0 when not given. */
  readonly staleWhileRevalidate: number
}

const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value.replace(/^"|"$/g, ''))
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/**
 * Parses a response's `Cache-Control` for a shared cache.
 *
 * @example
 * parseCacheControl('public, max-age=60, s-maxage=300, stale-while-revalidate=30')
 * // { storable: true, maxAge: 300, staleWhileRevalidate: 30 }
 */
export const parseCacheControl = (header: string | null): Storability => {
  const directives = new Map<string, string | undefined>()
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.split('=', 2) as [string, string | undefined]
    const key = name.trim().toLowerCase()
    if (key !== '') directives.set(key, value?.trim())
  }
  // `no-cache` with a field list only restricts those fields; bare, it demands revalidation every
  // time, which a cache without conditional requests upstream cannot do: treat it as not storable.
  const noCache = directives.has('no-cache') && directives.get('no-cache') === undefined
  const storable = !directives.has('no-store') && !directives.has('private') && !noCache
  return {
    storable,
    maxAge: seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age')),
    staleWhileRevalidate: seconds(directives.get('stale-while-revalidate')) ?? 0,
  }
}
