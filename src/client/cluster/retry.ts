/**
 * When the cluster client tries again. MOVED and ASK say where the slot went. TRYAGAIN (keys of a
 * multi-key command split by a migration), CLUSTERDOWN (a slot with no owner during a failover),
 * LOADING, MASTERDOWN and READONLY (a primary demoted under us) say the command did not run and a
 * moment later it will. A lost connection may have run it: only read-only commands are repeated
 * then, and commands the transport says it never wrote.
 */
import { ReplyError, TimeoutError, TransportError } from '../../errors.ts'
import { parseHostPort } from './seeds.ts'
import type { NodeAddress } from './topology.ts'

/** Where one attempt goes: a node, over its primary or its readonly connection. */
export interface Target {
  node: NodeAddress
  readonly: boolean
}

const TRANSIENT = new Set(['TRYAGAIN', 'CLUSTERDOWN', 'LOADING', 'MASTERDOWN', 'READONLY'])
const AGAIN = new Set(['MOVED', 'ASK', ...TRANSIENT])

/** True for a reply that a later attempt (elsewhere, or after a pause) may turn into an answer. */
export const again = (reply: unknown): boolean => reply instanceof ReplyError && AGAIN.has(reply.code)

/** A MOVED or ASK reply, parsed: `MOVED 3999 127.0.0.1:6381` (an empty host means the same host). */
export const redirection = (
  error: unknown,
  from: NodeAddress,
): { ask: boolean; slot: number; node: NodeAddress } | undefined => {
  if (!(error instanceof ReplyError) || (error.code !== 'MOVED' && error.code !== 'ASK')) return undefined
  const [, slot, where = ''] = error.message.split(' ')
  const node = parseHostPort(where.startsWith(':') ? `${from.host}${where}` : where)
  return { ask: error.code === 'ASK', slot: Number(slot), node }
}

const unsent = new WeakSet<object>()

/** Marks a `TransportError` as one whose command never reached the wire (see `trackConnect`). */
export const markUnsent = (error: unknown): void => {
  if (error instanceof TransportError) unsent.add(error)
}

/** Whether a failed attempt may be repeated; see the module comment. */
export const retryable = (error: unknown, readonly: boolean): boolean => {
  if (error instanceof ReplyError) return TRANSIENT.has(error.code)
  if (error instanceof TimeoutError || !(error instanceof TransportError)) return false
  return readonly || unsent.has(error)
}

/** The pause before attempt `attempt + 1`: 25, 50, 100, 200, then 250 ms. */
export const backoff = (attempt: number): number => Math.min(25 * 2 ** attempt, 250)
