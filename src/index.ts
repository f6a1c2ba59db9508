/** floodgate: rate limiting and sessions for edge functions on self-hosted Valkey. */

export {
  type Cache,
  type CacheMetrics,
  type CacheOptions,
  type CacheResult,
  createCache,
  type EntryOptions,
  type Factory,
  type FactoryContext,
  type GetOrSetOptions,
  type L1,
  prometheusMetrics,
  type Serializer,
  taggedJson,
} from './cache/index.ts'
export { type ClusterClientOptions, createClusterClient, keySlot } from './client/cluster/client.ts'
export {
  type CreateClientOptions,
  clientFromEnv,
  createClient,
  type EnvLike,
} from './client/create-client.ts'
export { createHttpClient, type HttpClient, type HttpClientOptions } from './client/http/client.ts'
export type { FetchInitLike, FetchLike, FetchResponseLike } from './client/http/exchange.ts'
export {
  fromUpstashRedis,
  type UpstashRedisLike,
  type UpstashRequesterLike,
} from './client/http/upstash-redis.ts'
export { createMemoryClient, type MemoryClientOptions } from './client/memory/client.ts'
export { defineScript, runScript, scriptSha } from './client/script.ts'
export { createTcpClient, type TcpClientOptions } from './client/tcp/client.ts'
export {
  createSentinelClient,
  type SentinelClient,
  type SentinelClientOptions,
} from './client/tcp/sentinel/client.ts'
export { parseSentinelUrl, type SentinelAddress, type SentinelUrl } from './client/tcp/sentinel/url.ts'
export type { Connect, ConnectOptions, Socket, SocketHandlers } from './client/tcp/socket.ts'
export { streamSocket } from './client/tcp/socket.ts'
export { parseTcpUrl, type TcpEndpoint } from './client/tcp/url.ts'
export type {
  Arg,
  Client,
  Command,
  Reply,
  Script,
  ScriptContext,
  ScriptTwin,
  SendOptions,
  SubscribeKind,
  SubscriberConnection,
  SubscriberHandlers,
  SubscriberOptions,
} from './client/types.ts'
export { UnacknowledgedError, waitForReplicas } from './client/wait-replicas.ts'
export { type DashboardData, readDashboardData } from './dashboard/data.ts'
export {
  createDashboard,
  type Dashboard,
  type DashboardOptions,
} from './dashboard/handler.ts'
export { renderDashboard } from './dashboard/render.ts'
export {
  CacheError,
  ConfigError,
  FloodgateError,
  ProtocolError,
  ReplyError,
  SessionError,
  TimeoutError,
  TransportError,
} from './errors.ts'
export {
  type Algorithm,
  type AlgorithmKind,
  type AlgorithmOptions,
  type AnalyticsCount,
  type AnalyticsOptions,
  type AnalyticsPoint,
  createDenyList,
  createLimiter,
  createRecorder,
  type DenyList,
  type Duration,
  fixedWindow,
  type GcraOptions,
  gcra,
  IpDenyList,
  type Limiter,
  type LimiterAnalytics,
  type LimiterOptions,
  type LimitOptions,
  type LimitRequest,
  MultiRegionRatelimit,
  type MultiRegionRatelimitConfig,
  type PolicyState,
  parseDuration,
  type RateLimitHeaderOptions,
  type RateLimitResult,
  Ratelimit,
  type RatelimitConfig,
  type RatelimitResponse,
  type ReadAnalyticsOptions,
  type RemainingResult,
  rateLimitHeaders,
  readAnalytics,
  slidingWindow,
  tokenBucket,
  withAnalytics,
} from './limit/index.ts'
export {
  type Backoff,
  type DurableOptions,
  type Gap,
  type OverflowPolicy,
  type PublishOptions,
  type PubSubMessage,
  psubscribe,
  publish,
  type SubscribeOptions,
  SubscriberOverflowError,
  type Subscription,
  type SubscriptionEvent,
  type SubscriptionEvents,
  type SubscriptionStats,
  spublish,
  streamKey,
  subscribe,
} from './pubsub/index.ts'
export {
  type CookieOptions,
  createSessions,
  type InvalidReason,
  type Secret,
  Session,
  type SessionData,
  type Sessions,
  type SessionsOptions,
  type StatefulOptions,
  type StatelessOptions,
} from './session/index.ts'
