/**
 * `floodgate/bridge`: the Upstash-compatible HTTP-to-RESP bridge, Web APIs only. `createBridge`
 * is the handler (`bridge.fetch(request)`), `connectUpstream` its Valkey side. The `node:http`
 * server is `floodgate/bridge/node` (`startBridge`, `serveBridge`).
 */
export { type BridgeConfig, parseConfig, usage } from './config.ts'
export {
  type Bridge,
  type BridgeInput,
  type BridgeOptions,
  type BridgeOutput,
  createBridge,
} from './handler.ts'
export { jsonLogger, type Logger, type LogLevel, silentLogger } from './log.ts'
export { Metrics } from './metrics.ts'
export { DANGEROUS_COMMANDS } from './policy.ts'
export type { SubscribeHandlers, Subscription, Upstream, UpstreamOptions } from './upstream.ts'
export { connectUpstream, type ValkeyUpstreamOptions } from './valkey.ts'
