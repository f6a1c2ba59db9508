/**
 * A password-protected Valkey: the bridge authenticates its command connection and every
 * subscriber connection from the URL; a wrong password is a 503, never a leaked secret.
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/bridge/config.ts'
import { startBridge } from '../../src/bridge/node/start.ts'
import { useValkey } from '../support/use-valkey.ts'
import { post, TOKEN, useBridge } from './support.ts'

const PASSWORD = 'valkey-pass-0123456789'
const valkey = useValkey({ password: PASSWORD })
const bridge = useBridge(valkey)

describe('the bridge in front of a password-protected Valkey', () => {
  it('authenticates commands and subscribe streams', async () => {
    expect(await post(bridge.url, ['SET', 'a', '1'])).toMatchObject({ status: 200, json: { result: 'OK' } })
    const response = await fetch(`${bridge.url}/subscribe/secure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const reader = response.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: subscribe,secure,1\n\n')
    expect(valkey.server.cli('PUBLISH', 'secure', 'ok')).toBe('1')
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: message,secure,ok\n\n')
    await reader.cancel()
  })

  it('answers 503 without the password when Valkey refuses it', async () => {
    const config = parseConfig(['--token', TOKEN, '--listen', '127.0.0.1:0'], {})
    if (config === 'help') throw new Error('unreachable')
    const lines: string[] = []
    const wrong = await startBridge(
      { ...config, upstream: `redis://:wrong-password-xyz@127.0.0.1:${valkey.server.port}` },
      (level, msg, fields) => lines.push(JSON.stringify({ level, msg, ...fields })),
    )
    try {
      const command = await post(wrong.url, ['GET', 'a'])
      expect(command.status).toBe(503)
      expect((command.json as { error: string }).error).toMatch(
        /^ERR upstream authentication failed: .*WRONGPASS/,
      )
      // It started anyway (it cannot set up its ACL users yet): ready it is not.
      const ready = await fetch(`${wrong.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ status: 'unavailable', reason: 'auth' })
      expect(JSON.stringify(command.json)).not.toContain('wrong-password-xyz')
      const stream = await post(`${wrong.url}/subscribe/x`, '')
      expect(stream.status).toBe(503)
      expect(JSON.stringify(stream.json)).not.toContain('wrong-password-xyz')
    } finally {
      await wrong.close()
    }
    expect(lines.join('\n')).not.toContain('wrong-password-xyz')
  })
})
