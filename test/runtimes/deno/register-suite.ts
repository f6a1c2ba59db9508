/**
 * Registers the client suite as Deno tests, one per case, then a last test that closes the client.
 * One client serves every case, so its connections outlive each test: no op/resource sanitizers.
 */
import type { Client } from '../../../src/client/types.ts'
import { simpleAssert } from '../../client/assert.ts'
import { clientSuite } from '../../client/client.suite.ts'
import { Deno } from './deno.ts'

export const registerSuite = (client: Client): void => {
  for (const testCase of clientSuite) {
    Deno.test({
      name: testCase.name,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => testCase.run(client, simpleAssert),
    })
  }
  Deno.test({ name: 'close', sanitizeOps: false, sanitizeResources: false, fn: () => client.close() })
}
