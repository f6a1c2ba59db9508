/** floodgate/node: Node-only pieces (sockets, config from process.env, a faster fetch). */
export { type NodeFetch, type NodeFetchOptions, nodeFetch } from './http-fetch.ts'
export { connect, createNodeConnect } from './socket.ts'
