/** Valkey's `INFO` reply read as data, for whoever reports on the server (metrics, the dashboard). */

/**
 * INFO's `field:value` lines as a map (section headers and blank lines dropped).
 *
 * @example
 * parseInfo('# Server\r\nrole:master\r\n').get('role') // 'master'
 */
export const parseInfo = (text: string): Map<string, string> => {
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  return fields
}
