/**
 * The client suite over HTTP inside Deno, against the bridge at `BRIDGE_URL`. Run by
 * `test/runtimes/http-client.test.ts` as `deno test --allow-net=127.0.0.1 --allow-env=...`.
 */
import { createHttpClient } from '../../../src/client/http/client.ts'
import { Deno } from './deno.ts'
import { registerSuite } from './register-suite.ts'

registerSuite(createHttpClient({ url: Deno.env.get('BRIDGE_URL')!, token: Deno.env.get('BRIDGE_TOKEN')! }))
