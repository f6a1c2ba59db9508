/**
 * A TLS failure to Valkey is named as one: `/readyz` answers 503 with reason `tls`, and the log
 * gives the certificate error, not a generic "upstream unavailable". (Issue 12, item 11.)
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/bridge/config.ts'
import { startBridge } from '../../src/bridge/node/start.ts'
import { TLS_PASSWORD, useTlsValkey } from '../support/tls.ts'
import { freePort } from '../support/valkey.ts'
import { post, TOKEN } from './support.ts'

const tlsPort = await freePort()
useTlsValkey(tlsPort)

describe('the bridge in front of a Valkey whose certificate it does not trust', () => {
  it('answers /readyz 503 "tls" and logs the certificate error once, without the password', async () => {
    const config = parseConfig(['--token', TOKEN, '--listen', '127.0.0.1:0'], {})
    if (config === 'help') throw new Error('unreachable')
    const lines: Array<Record<string, unknown>> = []
    const bridge = await startBridge(
      { ...config, upstream: `rediss://:${TLS_PASSWORD}@127.0.0.1:${tlsPort}` },
      (level, msg, fields) => lines.push({ level, msg, ...fields }),
    )
    try {
      const ready = await fetch(`${bridge.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: 'tls' })
      const command = await post(bridge.url, ['GET', 'k'])
      expect(command.status).toBe(503)
      expect((command.json as { error: string }).error).toMatch(
        /^ERR upstream unavailable: the TLS connection to Valkey failed \([A-Z_]+\); the bridge.s operator must fix its TLS setup$/,
      )
      const down = lines.filter((line) => line.msg === 'upstream down')
      expect(down).toHaveLength(1)
      expect(down[0]).toMatchObject({ level: 'warn', reason: 'tls' })
      expect(String(down[0]!.cause)).toMatch(/certificate/)
      expect(String(down[0]!.cause)).toContain(`127.0.0.1:${tlsPort}`)
      expect(JSON.stringify(lines)).not.toContain(TLS_PASSWORD)
    } finally {
      await bridge.close()
    }
  })
})
