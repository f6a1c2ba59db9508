/**
 * What the bridge's collectors share of the Prometheus text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
 */

/**
 * A label value as the format writes it between double quotes: backslash, double quote and line
 * feed escaped, everything else as it is.
 *
 * @example
 * `floodgate_limiter_decisions{prefix="${escapeLabel(prefix)}"} 12`
 */
export const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
