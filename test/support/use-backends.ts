/**
 * `useBackends()` in a vitest file whose cases run on both backends: the file's own Valkey (from
 * `useValkey()`), one TCP client on it opened before the tests and closed after them, and one
 * memory client. `backends` names them the way the suites' describe titles do.
 */
import { afterAll, beforeAll } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import { createMemoryClient } from '../../src/client/memory/client.ts'
import { createTcpClient } from '../../src/client/tcp/client.ts'
import type { Client } from '../../src/client/types.ts'
import { useValkey } from './use-valkey.ts'

export interface Backends {
  readonly valkey: ReturnType<typeof useValkey>
  /** The TCP client on the file's Valkey; only available inside tests and hooks. */
  readonly tcp: Client
  readonly memory: Client
  /** `[name, client]` for each backend: real Valkey first, then the memory backend. */
  readonly backends: ReadonlyArray<readonly [string, () => Client]>
}

export const useBackends = (): Backends => {
  const valkey = useValkey()
  let tcp: Client | undefined
  beforeAll(() => {
    tcp = createTcpClient({ url: valkey.url, connect })
  })
  afterAll(() => tcp?.close())
  const memory = createMemoryClient()
  const ours: Backends = {
    valkey,
    get tcp() {
      if (!tcp) throw new Error('useBackends(): the TCP client is only available inside tests and hooks')
      return tcp
    },
    memory,
    backends: [
      ['real Valkey', () => ours.tcp],
      ['the memory backend', () => memory],
    ],
  }
  return ours
}
