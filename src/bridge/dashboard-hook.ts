/**
 * The bridge's `/dashboard` (with `--dashboard`): the decisions dashboard of src/dashboard/, reading
 * the analytics and health of the bridge's own upstream, opened with any of the bridge's tokens.
 * The upstream is wrapped as a minimal read-side Client; the dashboard never runs scripts.
 */

import type { Client } from '../client/types.ts'
import {
  createDashboard,
  type DashboardInput,
  type DashboardOptions,
  type DashboardOutput,
} from '../dashboard/handler.ts'
import type { Upstream } from './upstream.ts'

/** The part of the handler's `BridgeInput` read here (structural: handler.ts imports this module). */
type HookInput = Omit<DashboardInput, 'body'> & { body: Uint8Array | null }

export type BridgeDashboardOptions = Omit<DashboardOptions, 'client' | 'tokens' | 'path'>

const utf8 = new TextDecoder()

/** Answers `/dashboard…` requests; `undefined` for every other path. */
export const bridgeDashboard = (
  upstream: Upstream,
  tokens: readonly string[],
  timeout: number,
  options: BridgeDashboardOptions = {},
): ((input: HookInput) => Promise<DashboardOutput | undefined>) => {
  const client: Client = {
    kind: 'tcp',
    send: (command) => upstream.send([...command] as string[], { bytes: false, timeout }),
    pipeline: (commands) =>
      upstream.pipeline(
        commands.map((c) => [...c] as string[]),
        { bytes: false, timeout },
      ),
    eval: () => Promise.reject(new TypeError('the dashboard runs no scripts')),
    close: async () => {},
  }
  const dashboard = createDashboard({ ...options, client, tokens, path: '/dashboard' })
  return async (input) => {
    if (!input.url.startsWith('/dashboard')) return undefined
    return dashboard.handle({ ...input, body: input.body ? utf8.decode(input.body) : '' })
  }
}
