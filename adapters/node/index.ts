/** floodgate/node: Node — Client from process.env, TCP via node:net/tls, a faster fetch, client IP, background work. */

export { connect, createNodeConnect } from '../../src/bridge/node/socket.ts'
export { type Background, createBackground, withContext as handle } from '../../src/context/background.ts'
export { nodeIp as clientIp } from '../../src/context/client-ip.ts'
export { clientFromEnv } from './client.ts'
export { type NodeFetch, type NodeFetchOptions, nodeFetch } from './http-fetch.ts'
export { type NodeStreamFetchOptions, nodeStreamFetch } from './stream-fetch.ts'
