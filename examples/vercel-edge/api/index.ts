/**
 * The example app as a Vercel Edge Function. Vercel's edge runtime has no TCP: FLOODGATE_URL is
 * the bridge's https:// URL (or Upstash's REST URL). vercel.json routes every path here.
 */
import { clientFromEnv, handle } from 'floodgate/vercel'
import { createApp } from '../../shared/app.ts'

export const config = { runtime: 'edge' }

const client = clientFromEnv()

export default handle(createApp({ client: () => client }))
