/**
 * What every runtime suite runs against: a real `valkey-server` and the real bridge in front of
 * it, both on free loopback ports, started once per test file and stopped after it.
 */
import { afterAll, beforeAll } from 'vitest'
import { parseConfig } from '../../../src/bridge/config.ts'
import { silentLogger } from '../../../src/bridge/log.ts'
import { type BridgeServer, startBridge } from '../../../src/bridge/node/start.ts'
import { useValkey } from '../../support/use-valkey.ts'
import type { ValkeyServer } from '../../support/valkey.ts'

export interface Stack {
  readonly valkey: ValkeyServer
  /** `redis://127.0.0.1:<port>`: Valkey over TCP. */
  readonly redisUrl: string
  /** `http://127.0.0.1:<port>`: the bridge. */
  readonly bridgeUrl: string
  readonly token: string
  /** Empties Valkey between cases (FLUSHALL over valkey-cli; the bridge refuses it by design). */
  reset(): void
  /** A counter's value straight from Valkey (0 when unset). */
  counter(key: string): number
}

export const useStack = (): Stack => {
  const valkey = useValkey()
  const token = `test-token-${crypto.randomUUID()}`
  let bridge: BridgeServer | undefined
  beforeAll(async () => {
    const config = parseConfig(['--upstream', valkey.url, '--token', token, '--listen', '127.0.0.1:0'], {})
    if (config === 'help') throw new Error('unreachable: no --help given')
    bridge = await startBridge(config, silentLogger)
  })
  afterAll(async () => {
    await bridge?.close()
  })
  return {
    get valkey() {
      return valkey.server
    },
    get redisUrl() {
      return valkey.url
    },
    get bridgeUrl() {
      if (!bridge) throw new Error('useStack(): the bridge is only available inside tests and hooks')
      return bridge.url
    },
    token,
    reset: () => void valkey.server.cli('FLUSHALL'),
    counter: (key) => Number(valkey.server.cli('GET', key) || 0),
  }
}
