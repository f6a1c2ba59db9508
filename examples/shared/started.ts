/** What the Node examples' `start()` takes and returns (the Hono, Express and Fastify servers). */
import type { Client } from 'floodgate'

export interface Started {
  /** `http://localhost:<port>`. */
  readonly url: string
  readonly client: Client
  /** Stops accepting, lets in-flight requests finish, closes the Client. */
  stop(): Promise<void>
}

export interface StartOptions {
  port?: number
  /** Where to read FLOODGATE_URL, FLOODGATE_TOKEN and TRUST_PROXY; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
}
