/**
 * An upstream that is built on first use: when Valkey is down or refuses the upstream user at
 * start, the bridge still starts (liveness holds, `/readyz` says why it is not ready, requests
 * get a 503 naming the cause) and sets up its ACL users as soon as Valkey lets it, trying again
 * at most once a second.
 */
import type { Upstream } from './upstream.ts'

/**
 * @example
 * const upstream = deferredUpstream(async () => connectUpstream({ ...options, users: (await prepareAclUsers(config, connect, log)).users }))
 */
export const deferredUpstream = (open: () => Promise<Upstream>, retryAfter = 1000): Upstream => {
  let inner: Upstream | undefined
  let opening: Promise<Upstream> | undefined
  let failed: { at: number; error: unknown } | undefined
  const get = (): Promise<Upstream> => {
    if (inner) return Promise.resolve(inner)
    if (opening) return opening
    if (failed && performance.now() - failed.at < retryAfter) return Promise.reject(failed.error)
    opening = open().then(
      (upstream) => {
        inner = upstream
        opening = undefined
        return upstream
      },
      (error: unknown) => {
        failed = { at: performance.now(), error }
        opening = undefined
        throw error
      },
    )
    return opening
  }
  return {
    send: async (command, options) => (await get()).send(command, options),
    pipeline: async (commands, options) => (await get()).pipeline(commands, options),
    subscribe: async (kind, channel, handlers) => (await get()).subscribe(kind, channel, handlers),
    async check() {
      let upstream: Upstream
      try {
        upstream = await get()
      } catch (error) {
        return [{ who: 'the upstream URL user, setting up the ACL users', error }]
      }
      return (await upstream.check?.()) ?? []
    },
    async close() {
      await opening?.catch(() => {})
      await inner?.close()
    },
  }
}
