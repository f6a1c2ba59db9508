/**
 * `dashboard()`: the decisions dashboard (src/dashboard/) as Hono middleware, for an app that
 * wants it under its own routes instead of on the bridge. It answers under `path` and passes every
 * other request on.
 */
import type { MiddlewareHandler } from 'hono'
import { createDashboard, type DashboardOptions } from '../dashboard/handler.ts'

/**
 * Mounts the dashboard.
 *
 * @example
 * app.use('/dashboard/*', dashboard({ client, tokens: [env.DASHBOARD_TOKEN] }))
 */
export const dashboard = (options: DashboardOptions): MiddlewareHandler => {
  const handler = createDashboard(options)
  return async function dashboard(c, next) {
    const response = await handler.fetch(c.req.raw)
    if (response === undefined) return next()
    return response
  }
}
