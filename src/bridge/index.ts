/**
 * `floodgate/bridge`: the Upstash-compatible HTTP-to-RESP bridge, Web APIs only. `createBridge`
 * is the handler (`bridge.fetch(request)`), `connectUpstream` its Valkey side, `prepareAclUsers`
 * the Valkey ACL users it should run as. The `node:http` server is `floodgate/bridge/node`
 * (`startBridge`, `serveBridge`).
 */
export { type AccessClass, aclRules, aclSetUser, DEFAULT_ACL_USERS } from './acl-rules.ts'
export { type AclSetup, prepareAclUsers } from './acl-users.ts'
export { type AclUser, type BridgeConfig, parseConfig, usage } from './config.ts'
export { Counters } from './counters.ts'
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
export type {
  SubscribeHandlers,
  Subscription,
  Upstream,
  UpstreamCheck,
  UpstreamOptions,
} from './upstream.ts'
export { connectUpstream, type ValkeyUpstreamOptions } from './valkey.ts'
