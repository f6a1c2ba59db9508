/**
 * Stateless sessions against iron-session on the same ~300-byte payload: one request's worth of
 * work each, unseal the incoming cookie then seal the changed session.
 */
import { sealData, unsealData } from 'iron-session'
import { createSessions } from '../../src/index.ts'
import { interleave, type Measured } from './measure.ts'

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

/** ~300 bytes of JSON, the size of a typical signed-in session. */
export const PAYLOAD = {
  sub: 'user_2f9c1a7e4b',
  sid: 'c8f1d2e3-4b5a-6978-8a9b-0c1d2e3f4a5b',
  email: 'ada.lovelace@example.com',
  name: 'Ada Lovelace',
  roles: ['admin', 'billing', 'support'],
  org: 'org_analytical_engines',
  plan: 'enterprise',
  locale: 'en-GB',
  csrf: 'k3J9xQ2vL8mN4pR7sT1uW6yZ0aB5cD',
  ver: 7,
  views: 0,
}

type Payload = typeof PAYLOAD

export const benchCrypto = async (slices: number, sliceMs: number): Promise<Measured[]> => {
  const sessions = createSessions<Payload>({ mode: 'stateless', secrets: SECRET })
  const first = await sessions.load(new Request('https://x/'))
  for (const [key, value] of Object.entries(PAYLOAD)) first.set(key as 'ver', value as number)
  const line = (await first.commit()).getSetCookie()[0]!
  const cookie = line.split(';')[0]!
  const req = new Request('https://x/', { headers: { cookie } })
  let n = 0
  const floodgate = async () => {
    const session = await sessions.load(req)
    session.set('views', ++n)
    const headers = await session.commit()
    if (!headers.has('set-cookie')) throw new Error('expected a re-sealed cookie')
  }
  const ironSeal = await sealData(PAYLOAD, { password: SECRET })
  const iron = async () => {
    const data = await unsealData<Payload>(ironSeal, { password: SECRET })
    if (data.ver !== 7) throw new Error('iron-session unseal failed')
    await sealData({ ...data, views: ++n }, { password: SECRET })
  }
  const results = await interleave(
    [
      ['floodgate stateless (jose dir+A256GCM) unseal+seal', floodgate],
      ['iron-session unsealData+sealData', iron],
    ],
    slices,
    sliceMs,
  )
  console.log(
    `payload: ${JSON.stringify(PAYLOAD).length} B JSON; floodgate cookie ${cookie.length} B, iron seal ${ironSeal.length} B`,
  )
  return results
}
