/**
 * What `fastify-plugin` does, without depending on it at run time: a plugin marked with Fastify's
 * `skip-override` symbol is not encapsulated, so the hooks and decorators it adds apply to the
 * scope that registered it (and that scope's children), not only to a private child context.
 */
import type { FastifyPluginAsync } from 'fastify'

/**
 * Marks `plugin` to share its registering scope, under `name` in Fastify's plugin tree.
 *
 * @example
 * export const session = skipOverride(async (fastify, options) => { ... }, 'floodgate-session')
 */
export const skipOverride = <Options>(
  plugin: FastifyPluginAsync<Options & Record<never, never>>,
  name: string,
): FastifyPluginAsync<Options & Record<never, never>> =>
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  })
