/**
 * The two bounds every `/metrics` collector of the bridge keeps, so a scrape never hangs and never
 * multiplies Valkey's work: one answer is reused for `cacheFor` ms (scrapers from several
 * Prometheus replicas share one round trip), and a scrape waits for Valkey at most `timeout` ms.
 */

/**
 * A `render()` that answers `scrape()`'s text, started at most once every `cacheFor` ms.
 *
 * @example
 * return cachedRender(scrape, options.cacheFor ?? 1000) // { render(): Promise<string> }
 */
export const cachedRender = (
  scrape: () => Promise<string>,
  cacheFor: number,
): { render(): Promise<string> } => {
  let cached: { at: number; text: Promise<string> } | undefined
  return {
    render() {
      const now = performance.now()
      if (!cached || now - cached.at >= cacheFor) cached = { at: now, text: scrape() }
      return cached.text
    },
  }
}

/**
 * `work`, or a rejection once `ms` have passed. The upstream has its own timeout; this one also
 * covers a connect that hangs.
 *
 * @example
 * const replies = await withinTimeout(upstream.pipeline(commands, { timeout }), timeout)
 */
export const withinTimeout = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Valkey did not answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
