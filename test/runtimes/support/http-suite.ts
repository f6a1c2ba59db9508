/**
 * The client suite over HTTP, as a fetch handler for workerd and the edge-runtime VM: runs every
 * case (minus the ones the caller names) through `createHttpClient` against the bridge at
 * `?url=`, with `?token=`, and answers with one result per case. A fresh client per request, as a
 * Worker or Edge Function would build it.
 */
import { createHttpClient } from '../../../src/client/http/client.ts'
import { runSuite } from '../../client/run-suite.ts'

export type { CaseResult } from '../../client/run-suite.ts'

export const runHttpSuite = async (request: Request): Promise<Response> => {
  const params = new URL(request.url).searchParams
  const client = createHttpClient({ url: params.get('url')!, token: params.get('token')! })
  const results = await runSuite(client)
  await client.close()
  return Response.json(results)
}
