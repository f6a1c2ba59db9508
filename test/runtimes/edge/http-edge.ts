/** An Edge Function (edge-runtime VM, as on Vercel Edge) that runs the client suite over HTTP. */
import { runHttpSuite } from '../support/http-suite.ts'

declare const addEventListener: (
  type: 'fetch',
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
) => void

addEventListener('fetch', (event) => event.respondWith(runHttpSuite(event.request)))
