/**
 * `useValkey()` in a vitest file: a fresh `valkey-server` for that file, started before its tests
 * and stopped after them, pass or fail.
 */
import { afterAll, beforeAll } from 'vitest'
import { startValkey, type ValkeyOptions, type ValkeyServer } from './valkey.ts'

export const useValkey = (
  options?: ValkeyOptions,
): { readonly server: ValkeyServer; readonly url: string } => {
  let server: ValkeyServer | undefined
  beforeAll(async () => {
    server = await startValkey(options)
  }, 20_000)
  afterAll(async () => {
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('useValkey(): the server is only available inside tests and hooks')
      return server
    },
    get url() {
      return this.server.url
    },
  }
}
