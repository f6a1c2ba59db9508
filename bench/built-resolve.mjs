/** The resolve hook of `built.mjs`: the project's sources to their build in `dist/`. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = new URL('../', import.meta.url).href
const mapped = (url) => {
  if (!url.endsWith('.ts') || url.endsWith('.d.ts')) return undefined
  const rest = url.slice(root.length)
  if (!url.startsWith(root) || !(rest.startsWith('src/') || rest.startsWith('adapters/'))) return undefined
  const built = `${root}dist/${rest.slice(0, -3)}.js`
  if (!existsSync(fileURLToPath(built))) throw new Error(`${built} is missing: run npm run build first`)
  return built
}

export const resolve = async (specifier, context, next) => {
  const resolved = await next(specifier, context)
  const url = mapped(resolved.url)
  return url === undefined ? resolved : { ...resolved, url, format: 'module' }
}
