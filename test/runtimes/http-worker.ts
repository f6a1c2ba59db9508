/**
 * The client suite over HTTP, as a fetch handler for workerd and the edge-runtime VM: runs every
 * case (minus the ones the caller names) through `createHttpClient` against the bridge at
 * `?url=`, with `?token=`, and answers with one result per case. A fresh client per request, as a
 * Worker or Edge Function would build it.
 */
import { createHttpClient } from '../../src/client/http.ts'
import { simpleAssert } from '../client/assert.ts'
import { clientSuite } from '../client/suite.ts'

export interface CaseResult {
  name: string
  ok: boolean
  error?: string
}

export const runHttpSuite = async (request: Request): Promise<Response> => {
  const params = new URL(request.url).searchParams
  const client = createHttpClient({ url: params.get('url')!, token: params.get('token')! })
  const results: CaseResult[] = []
  for (const testCase of clientSuite) {
    try {
      await testCase.run(client, simpleAssert)
      results.push({ name: testCase.name, ok: true })
    } catch (error) {
      results.push({
        name: testCase.name,
        ok: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      })
    }
  }
  await client.close()
  return Response.json(results)
}
