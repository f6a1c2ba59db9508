/**
 * Model-based property test: random sequences of set, delete, regenerate, destroy and
 * commit-then-reload (the cookie carried like a browser would) must leave a reloaded session equal
 * to a plain Map that saw the same changes, with no onInvalid call, in both modes.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { connect } from '../../adapters/node/index.ts'
import type { Client } from '../../src/client/types.ts'
import { createMemoryClient, createSessions, createTcpClient, type Sessions } from '../../src/index.ts'
import { useValkey } from '../support/use-valkey.ts'
import { maxAgeOf, pairOf, request, SECRET_A } from './helpers.ts'

type Op =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'regenerate' }
  | { kind: 'destroy' }
  | { kind: 'commit' }

const key = fc.constantFrom('a', 'b', 'userId', 'd:x', 'é')
const value = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
)
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'regenerate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'destroy' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'commit' as const }) },
)

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0)

const check = async (sessions: Sessions<Record<string, unknown>>, ops: Op[], invalid: string[]) => {
  const model = new Map<string, unknown>()
  let cookie: string | undefined
  let session = await sessions.load(request())
  for (const step of [...ops, { kind: 'commit' } as Op]) {
    if (step.kind === 'set') {
      session.set(step.key, step.value)
      model.set(step.key, step.value)
    } else if (step.kind === 'delete') {
      session.delete(step.key)
      model.delete(step.key)
    } else if (step.kind === 'regenerate') session.regenerate()
    else if (step.kind === 'destroy') {
      session.destroy()
      model.clear()
    } else {
      const line = (await session.commit()).getSetCookie()[0]
      const before = cookie
      if (line !== undefined) cookie = maxAgeOf(line) === 0 ? undefined : pairOf(line)
      if (sessions.mode === 'stateful' && before !== undefined && before !== cookie) {
        // A replaced or destroyed stateful session is dead: its old cookie opens nothing.
        if (!(await sessions.load(request(before))).isNew) throw new Error('the old id still opens a session')
        invalid.length = 0
      }
      session = await sessions.load(request(cookie))
      const all = JSON.stringify(Object.entries(session.all()).sort(byKey))
      const expected = JSON.stringify([...model].sort(byKey))
      if (all !== expected) throw new Error(`reloaded ${all}, model ${expected}`)
      if ((cookie === undefined) !== (model.size === 0)) throw new Error(`cookie ${cookie} for ${expected}`)
      if (invalid.length > 0) throw new Error(`onInvalid(${invalid.join(', ')})`)
    }
  }
}

const property = (make: (invalid: string[]) => Sessions<Record<string, unknown>>, runs: number) =>
  fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
      const invalid: string[] = []
      await check(make(invalid), ops, invalid)
    }),
    { numRuns: runs },
  )

describe('sessions against a model', () => {
  const valkey = useValkey()
  let tcp: Client
  beforeAll(() => {
    tcp = createTcpClient({ url: valkey.url, connect })
  })
  afterAll(() => tcp?.close())

  it('stateless', () =>
    property(
      (invalid) =>
        createSessions({ mode: 'stateless', secrets: SECRET_A, onInvalid: (r) => invalid.push(r) }),
      150,
    ))

  it('stateful on the memory backend', () => {
    const client = createMemoryClient()
    return property(
      (invalid) => createSessions({ client, userKey: 'userId', onInvalid: (r) => invalid.push(r) }),
      150,
    )
  })

  it('stateful on real Valkey', () =>
    property(
      (invalid) => createSessions({ client: tcp, userKey: 'userId', onInvalid: (r) => invalid.push(r) }),
      40,
    ))
})
