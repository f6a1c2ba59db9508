/** The cache suite over HTTP through floodgate's bridge, in front of a real Valkey. */
import { nodeFetch } from '../../adapters/node/http-fetch.ts'
import { createHttpClient } from '../../src/client/http/client.ts'
import { TOKEN, useBridge } from '../bridge/support.ts'
import { useValkey } from '../support/use-valkey.ts'
import { cacheSuite } from './cache.suite.ts'

const valkey = useValkey()
const bridge = useBridge(valkey)

cacheSuite('HTTP through the bridge', () =>
  createHttpClient({ url: bridge.url, token: TOKEN, fetch: nodeFetch() }),
)
