/**
 * The client suite over HTTP inside Deno, against the bridge at `BRIDGE_URL`. Run by
 * `test/runtimes/http-client.test.ts` as `deno test --allow-net=127.0.0.1 --allow-env=...`.
 */
import { createHttpClient } from '../../../src/client/http.ts'
import { simpleAssert } from '../../client/assert.ts'
import { clientSuite } from '../../client/suite.ts'

declare const Deno: {
  env: { get(name: string): string | undefined }
  test(definition: {
    name: string
    fn: () => Promise<void>
    sanitizeOps?: boolean
    sanitizeResources?: boolean
  }): void
}

const client = createHttpClient({ url: Deno.env.get('BRIDGE_URL')!, token: Deno.env.get('BRIDGE_TOKEN')! })

// Keep-alive connections outlive each case: no op/resource sanitizers.
for (const testCase of clientSuite) {
  Deno.test({
    name: testCase.name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => testCase.run(client, simpleAssert),
  })
}
Deno.test({ name: 'close', sanitizeOps: false, sanitizeResources: false, fn: () => client.close() })
