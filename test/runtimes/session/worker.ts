/** The session app as a Cloudflare Worker module. */
import { handle } from './app.ts'

export default { fetch: handle }
