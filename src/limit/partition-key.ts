/**
 * The partition key of draft-8 rate-limit headers (`RateLimit-Policy: "…"; pk=:<key>:`), as
 * express-rate-limit and hono-rate-limiter form it: base64 of the first 12 hex digits of the
 * SHA-256 of the request's key. One function for the Express and Hono integrations, on WebCrypto.
 */

/**
 * @example
 * await partitionKey('203.0.113.7') // base64 of the first 12 hex digits of its SHA-256
 */
export const partitionKey = async (key: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
  let hex = ''
  for (const byte of new Uint8Array(digest).subarray(0, 6)) hex += byte.toString(16).padStart(2, '0')
  return btoa(hex)
}
