/**
 * The example's user table. A real app checks a password hash (Argon2id, scrypt or PBKDF2) from
 * its database; here two demo users and SHA-256 digests keep it short. The comparison runs in
 * constant time and the work is the same whether or not the user exists.
 */

const USERS: Record<string, string> = {
  alice: 'correct horse',
  bob: 'battery staple',
}

const digest = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))

/** Whether `password` is `username`'s. */
export const checkPassword = async (username: string, password: string): Promise<boolean> => {
  const known = Object.hasOwn(USERS, username)
  const [expected, given] = await Promise.all([digest(known ? USERS[username]! : '\0'), digest(password)])
  let difference = 0
  for (let i = 0; i < expected.length; i++) difference |= expected[i]! ^ given[i]!
  return known && difference === 0
}
