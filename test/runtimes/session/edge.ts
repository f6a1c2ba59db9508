/** The session app as an Edge Function (edge-runtime VM, as on Vercel Edge). */
import { handle } from './app.ts'

declare const addEventListener: (
  type: 'fetch',
  listener: (event: { request: Request; respondWith(response: Promise<Response>): void }) => void,
) => void

addEventListener('fetch', (event) => event.respondWith(handle(event.request)))
