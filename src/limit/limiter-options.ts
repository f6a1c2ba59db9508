/**
 * What `createLimiter` and each call take. Its own module so the argument checks
 * (`limiter-checks.ts`) and the limiter both import it, and neither imports the other.
 */
import type { Client } from '../client/types.ts'
import type { Algorithm } from './algorithm.ts'
import type { Duration } from './duration.ts'

export interface LimiterOptions {
  /** The backend: a TCP, HTTP, cluster or memory Client. */
  client: Client
  /** One limit, or several checked together (e.g. 10 per second and 1000 per day). */
  limits: Algorithm | readonly Algorithm[]
  /** Key prefix: keys are `{prefix:identifier}:<limit>`. Default `'floodgate'`. */
  prefix?: string
  /** Ms to wait for the backend before answering by `onTimeout`. Default 1000. */
  timeout?: number
  /**
   * What a call answers when the backend is slow, unreachable or fails: `'allow'` (fail open,
   * the default, as `@upstash/ratelimit` does) or `'deny'` (fail closed, with `retryAfter` 1 s).
   */
  onTimeout?: 'allow' | 'deny'
  /**
   * Called with every error a call answered by `onTimeout` instead of the backend (a timeout, an
   * unreachable or misconfigured backend). Default: a `console.warn` the first time each kind of
   * error (its `code`) happens in the process, so a wrong token does not fail open unseen.
   */
  onError?: (error: unknown) => void
  /** The in-process block cache: `false` to turn it off, or its size. Default on, 10,000 entries. */
  blockCache?: boolean | { max?: number }
  /** Once a call is denied, keep the identifier blocked this long. Default: no extra block. */
  blockFor?: Duration
}

export interface LimitOptions {
  /** Units this call consumes (an integer; default 1). 0 only looks; a negative cost refunds. */
  cost?: number
  /** Epoch ms to decide at instead of the server's clock, for deterministic tests. */
  now?: number
}
