/**
 * `floodgate/bridge/node`: a complete bridge on Node from a configuration: the Valkey upstream
 * (Node sockets, flushing on `setImmediate`), the handler and the `node:http` server. The CLI
 * runs this in each process; tests start it in-process.
 */

import type { BridgeConfig } from '../config.ts'
import { type BridgeOptions, createBridge } from '../handler.ts'
import type { Logger } from '../log.ts'
import { type BridgeServer, serveBridge } from './server.ts'
import { connect } from './socket.ts'

export { type BridgeServer, type ServeOptions, serveBridge } from './server.ts'

import { connectUpstream } from '../valkey.ts'

/**
 * Starts serving and resolves once listening.
 *
 * @example
 * const server = await startBridge({ ...parseConfig(['--token', token], process.env), port: 0 })
 * console.log(server.url)
 */
export const startBridge = async (
  config: BridgeConfig,
  logger?: Logger,
  extra: Pick<BridgeOptions, 'metrics' | 'renderMetrics'> = {},
): Promise<BridgeServer> => {
  const upstream = connectUpstream({
    url: config.upstream,
    ...(config.cluster ? { cluster: true } : {}),
    connect,
    connectTimeout: Math.min(2000, config.upstreamTimeout),
    commandTimeout: config.upstreamTimeout,
    schedule: setImmediate,
  })
  const bridge = createBridge({
    upstream,
    tokens: config.tokens,
    readOnlyTokens: config.readOnlyTokens,
    allowCommands: config.allowCommands,
    maxBody: config.maxBody,
    maxArgs: config.maxArgs,
    maxCommands: config.maxCommands,
    upstreamTimeout: config.upstreamTimeout,
    maxStreams: config.maxStreams,
    maxStreamBuffer: config.maxStreamBuffer,
    logRequests: config.logLevel === 'debug',
    ...extra,
    ...(logger ? { logger } : {}),
  })
  try {
    return await serveBridge(bridge, {
      host: config.host,
      port: config.port,
      headersTimeout: config.headersTimeout,
      requestTimeout: config.requestTimeout,
      ...(logger ? { logger } : {}),
    })
  } catch (error) {
    await bridge.close()
    throw error
  }
}
