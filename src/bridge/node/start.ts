/**
 * `floodgate/bridge/node`: a complete bridge on Node from a configuration: the Valkey ACL users
 * of the token classes (acl-users.ts), the Valkey upstream (Node sockets, flushing on
 * `setImmediate`), the handler and the `node:http` server. The CLI runs this in each process;
 * tests start it in-process.
 */
import { TimeoutError, TransportError } from '../../errors.ts'
import type { AccessClass } from '../acl-rules.ts'
import { type AclSetup, prepareAclUsers } from '../acl-users.ts'
import type { BridgeConfig } from '../config.ts'
import { deferredUpstream } from '../deferred-upstream.ts'
import { type BridgeOptions, createBridge } from '../handler.ts'
import { type Logger, silentLogger } from '../log.ts'
import { type BridgeServer, serveBridge } from './server.ts'
import { connect } from './socket.ts'

export { type BridgeServer, type ServeOptions, serveBridge } from './server.ts'

import type { Upstream } from '../upstream.ts'
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
  const log = logger ?? silentLogger
  let again: { at: number; done: Promise<boolean> } | undefined
  const build = (acl: AclSetup): Upstream => {
    // Valkey forgets ACL users set at run time when it restarts (unless it saves an aclfile):
    // a managed setup is applied again, with the same passwords, at most once a second.
    const setUpAgain = (): Promise<boolean> => {
      if (!acl.managed) return Promise.resolve(false)
      if (again && performance.now() - again.at < 1000) return again.done
      const aclUsers = { ...config.aclUsers }
      for (const [access, user] of Object.entries(acl.users)) {
        const given = config.aclUsers[access as AccessClass]
        const generated = given.password === undefined || given.generated === true
        aclUsers[access as AccessClass] = generated ? { ...user, generated: true } : user
      }
      const done = prepareAclUsers({ ...config, aclUsers }, connect, log).then(
        () => {
          log('info', 'ACL users set up again after Valkey refused them')
          return true
        },
        (error: unknown) => {
          log('warn', 'cannot set up the ACL users again', { error })
          return false
        },
      )
      again = { at: performance.now(), done }
      return done
    }
    return connectUpstream({
      url: config.upstream,
      users: acl.users,
      ...(acl.nodes ? { nodes: acl.nodes } : {}),
      ...(config.cluster ? { cluster: true } : {}),
      connect,
      connectTimeout: Math.min(2000, config.upstreamTimeout),
      commandTimeout: config.upstreamTimeout,
      schedule: setImmediate,
      logger: log,
      onAuthFailure: setUpAgain,
    })
  }
  let upstream: Upstream
  try {
    upstream = build(await prepareAclUsers(config, connect, log))
  } catch (error) {
    // Valkey down or refusing the upstream user: start anyway; /readyz and the log say why.
    if (!(error instanceof TransportError || error instanceof TimeoutError)) throw error
    upstream = deferredUpstream(async () => build(await prepareAclUsers(config, connect, log)))
  }
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
    ...(config.dashboard ? { dashboard: true } : {}),
    ...(config.analyticsBucket ? { limiterMetrics: { bucket: config.analyticsBucket } } : {}),
    ...(config.limiterMetrics === false ? { limiterMetrics: false } : {}),
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
