/**
 * Valkey with TLS for the `rediss://` tests: a private test CA and a server certificate it signed
 * for localhost and 127.0.0.1 (test fixtures only), and `useTlsValkey(tlsPort)`, a Valkey that also
 * listens with TLS on `tlsPort` and requires the password `TLS_PASSWORD`.
 */
import { useValkey } from './use-valkey.ts'

const fixture = (name: string) => new URL(`../client/fixtures/${name}`, import.meta.url).pathname

export const TLS_CA_FILE = fixture('tls-ca.pem')
export const TLS_PASSWORD = 'tls-secret'

export const useTlsValkey = (tlsPort: number): ReturnType<typeof useValkey> =>
  useValkey({
    password: TLS_PASSWORD,
    args: [
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      fixture('tls-cert.pem'),
      '--tls-key-file',
      fixture('tls-key.pem'),
      '--tls-auth-clients',
      'no',
    ],
  })
