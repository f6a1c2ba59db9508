/** An Edge Function (edge-runtime VM, as on Vercel Edge) running the pub/sub cases over SSE. */
import { runSse } from '../support/pubsub-sse.ts'

declare const addEventListener: (
  type: 'fetch',
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
) => void

addEventListener('fetch', (event) => event.respondWith(runSse(event.request)))
