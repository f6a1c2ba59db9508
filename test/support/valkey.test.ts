import { describe, expect, it } from 'vitest'
import { useValkey } from './use-valkey.ts'

describe('test Valkey harness', () => {
  const valkey = useValkey()

  it('starts a real valkey-server on a free loopback port', () => {
    expect(valkey.server.port).toBeGreaterThan(0)
    expect(valkey.server.cli('PING')).toBe('PONG')
    expect(valkey.server.cli('INFO', 'server')).toMatch(/valkey_version:8\./)
  })

  it('restarts on the same port with empty data', async () => {
    valkey.server.cli('SET', 'k', 'v')
    await valkey.server.restart()
    expect(valkey.server.cli('EXISTS', 'k')).toBe('0')
  })
})
