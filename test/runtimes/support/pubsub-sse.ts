/**
 * The fetch handler of the pub/sub cases over SSE, for workerd and the edge-runtime VM:
 * `?url=&token=` of the bridge. The clients are built per request, as Workers need.
 */
import { createHttpClient } from '../../../src/client/http/client.ts'
import { runPubsubCases } from '../../pubsub/cases.ts'

export const runSse = async (request: Request): Promise<Response> => {
  const params = new URL(request.url).searchParams
  const make = () => createHttpClient({ url: params.get('url')!, token: params.get('token')! })
  const sub = make()
  const pub = make()
  const results = await runPubsubCases(sub, pub)
  await Promise.all([sub.close(), pub.close()])
  return Response.json(results)
}
