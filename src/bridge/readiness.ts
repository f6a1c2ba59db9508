/**
 * The readiness check behind `/readyz` and the `floodgate_upstream_up` gauge: a PING on every
 * upstream connection, with its credentials. `/readyz` needs no token, so the check runs at most
 * once a second however often it is asked, unless the state changed meanwhile.
 */
import type { Upstream } from './upstream.ts'
import { describeFailure, type UpstreamFailure, type UpstreamState } from './upstream-state.ts'

/**
 * Returns the check: it resolves with the first failure, or undefined when Valkey answers all,
 * and records the result in `state` (which logs the changes).
 *
 * @example
 * const ready = createReadiness(upstream, state)
 * const failure = await ready() // { kind: 'auth', ... } or undefined
 */
export const createReadiness = (
  upstream: Upstream,
  state: UpstreamState,
): (() => Promise<UpstreamFailure | undefined>) => {
  let last: { at: number; changes: number; result: Promise<UpstreamFailure | undefined> } | undefined
  return function readiness() {
    const now = performance.now()
    if (last && now - last.at < 1000 && last.changes === state.changes) return last.result
    const result = (async () => {
      const failed = (await upstream.check?.()) ?? []
      if (failed.length === 0) {
        state.up()
        return undefined
      }
      const failure = describeFailure(failed[0]!.error)
      state.down({ ...failure, detail: `${failure.detail} (${failed[0]!.who})` })
      return failure
    })()
    last = { at: now, changes: state.changes, result }
    return result
  }
}
