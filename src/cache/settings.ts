/**
 * A lookup's options resolved against the cache's own: `getOrSet(key, factory, { ttl: '1 m' })`
 * becomes `Settings` in milliseconds. The last resolution is reused while callers pass the same
 * values, compared field by field (they often pass a new object literal on every call, and
 * comparing the values costs less than resolving them again).
 */
import { checkBeta, checkTags, type GetOrSetOptions, graceMs, ms, type Settings } from './options.ts'

/**
 * The resolver of a cache whose own settings are `base`; it throws `TypeError` for a bad option.
 *
 * @example
 * const settings = settingsResolver(base)
 * settings({ ttl: '1 m' }).ttl // 60000
 * settings(undefined) === base // true
 */
export const settingsResolver = (base: Settings): ((o: GetOrSetOptions | undefined) => Settings) => {
  const resolve = (o: GetOrSetOptions): Settings => {
    return {
      ttl: o.ttl === undefined ? base.ttl : ms(o.ttl, 'ttl'),
      grace: graceMs(o.grace, base.grace),
      tags: checkTags(o.tags),
      timeout: o.timeout === undefined ? base.timeout : ms(o.timeout, 'timeout'),
      softTimeout: o.softTimeout === undefined ? 0 : ms(o.softTimeout, 'softTimeout'),
      beta: o.beta === undefined ? base.beta : checkBeta(o.beta),
      negativeTtl: o.negativeTtl === undefined ? 0 : ms(o.negativeTtl, 'negativeTtl'),
    }
  }

  let last: { readonly o: GetOrSetOptions; readonly s: Settings } | undefined
  return function settings(o) {
    if (o === undefined) return base
    const l = last?.o
    if (
      l !== undefined &&
      l.ttl === o.ttl &&
      l.grace === o.grace &&
      sameTags(l.tags, o.tags) &&
      l.timeout === o.timeout &&
      l.softTimeout === o.softTimeout &&
      l.beta === o.beta &&
      l.negativeTtl === o.negativeTtl
    )
      return last!.s
    const s = resolve(o)
    const { ttl, grace, tags, timeout, softTimeout, beta, negativeTtl } = o
    // A copy of the tags: a caller that changes its array afterwards gets them resolved again.
    last = { o: { ttl, grace, tags: tags && [...tags], timeout, softTimeout, beta, negativeTtl }, s }
    return s
  }
}

const sameTags = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => {
  if (a === b) return true
  if (a === undefined || b === undefined || !Array.isArray(b) || a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
