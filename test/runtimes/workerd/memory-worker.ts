/**
 * A Worker that runs the runtime-neutral client suite inside workerd on the memory backend, which
 * must use nothing but web-standard APIs there. One client per request, as Workers isolate them.
 */
import { createMemoryClient } from '../../../src/client/memory/client.ts'
import { runSuite } from '../../client/run-suite.ts'

export default {
  async fetch(): Promise<Response> {
    const client = createMemoryClient()
    const results = await runSuite(client)
    await client.close()
    return Response.json(results)
  },
}
