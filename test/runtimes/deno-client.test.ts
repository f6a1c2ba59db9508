/**
 * The client suite over TCP inside Deno: runs `deno test` on `deno/client.test.ts` with network
 * access to 127.0.0.1 only, and reports each case from its TAP output as its own test.
 */
import { describe } from 'vitest'
import { useValkey } from '../support/use-valkey.ts'
import { useDenoSuite } from './support.ts'

describe('the client suite over TCP inside Deno', () => {
  const valkey = useValkey()
  useDenoSuite('test/runtimes/deno/client.test.ts', () => ({ VALKEY_PORT: String(valkey.server.port) }))
})
