/**
 * The client suite inside Deno on the memory backend. Run by `test/runtimes/memory.deno.test.ts`
 * as `deno test`; the backend needs no permission at all.
 */
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { registerSuite } from './register-suite.ts'

registerSuite(createMemoryClient())
